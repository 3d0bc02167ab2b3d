package classify

import (
	"slices"
	"testing"
)

// span is what a test expects Detect to find: a kind and the exact text it covers.
type span struct {
	kind Kind
	text string
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []span // nil: nothing must be found
	}{
		// E-mail addresses.
		{"email", "Sent to jane.doe@example.org by mistake.", []span{{Email, "jane.doe@example.org"}}},
		{"email plus tag", "<a.b+c@mail.example.co.uk>", []span{{Email, "a.b+c@mail.example.co.uk"}}},
		{"email no dot in domain", "root@localhost said hi", nil},
		{"email handle", "follow @vigil and a@b.c", nil},

		// UK phone numbers.
		{"phone Jersey", "call us on 01534 500050", []span{{UKPhone, "01534 500050"}}},
		{"phone +44 (0)", "ring +44 (0)1534 500050 today", []span{{UKPhone, "+44 (0)1534 500050"}}},
		{"phone mobile", "mobile 07700 900123.", []span{{UKPhone, "07700 900123"}}},
		{"phone +44 mobile", "+44 7700 900123", []span{{UKPhone, "+44 7700 900123"}}},
		{"phone 0044", "0044 20 7946 0958", []span{{UKPhone, "0044 20 7946 0958"}}},
		{"phone London", "tel: 020 7946 0958", []span{{UKPhone, "020 7946 0958"}}},
		{"phone hyphens", "(01534) 500-050", []span{{UKPhone, "01534) 500-050"}}},
		{"phone too short", "call 01534 5000", nil},
		{"phone unused range", "06123 456789", nil},
		{"phone inside a code", "ref X01534500050", nil},

		// National Insurance numbers.
		{"NI", "NI number AB123456C.", []span{{NINumber, "AB123456C"}}},
		{"NI spaced", "ni: ab 12 34 56 c", []span{{NINumber, "ab 12 34 56 c"}}},
		{"NI unallocated prefix", "GB123456A", nil},
		{"NI bad first letter", "DA123456A", nil},
		{"NI bad second letter", "AO123456A", nil},
		{"NI bad suffix", "AB123456E", nil},
		{"NI no suffix", "AB123456 was the order", nil},

		// NHS numbers (modulus 11).
		{"NHS", "NHS no. 943 476 5919", []span{{NHSNumber, "943 476 5919"}}},
		{"NHS run", "patient 9434765919 seen", []span{{NHSNumber, "9434765919"}}},
		{"NHS bad check digit", "NHS no. 943 476 5918", nil},
		{"NHS check digit 10", "NHS no. 0000000060", nil}, // 11 - (6*... ) = 10 is never issued

		// Payment cards (Luhn).
		{"card", "card 4111 1111 1111 1111 used", []span{{PaymentCard, "4111 1111 1111 1111"}}},
		{"card run", "pan=5555555555554444;", []span{{PaymentCard, "5555555555554444"}}},
		{"card Amex", "3782 822463 10005", []span{{PaymentCard, "3782 822463 10005"}}},
		{"card fails Luhn", "4111 1111 1111 1112", nil},
		{"card bad prefix", "9111 1111 1111 1111 1", nil},
		{"card odd grouping", "41 1111111 1111111", nil},

		// IBANs (mod 97).
		{"IBAN", "pay GB82 WEST 1234 5698 7654 32 now", []span{{IBAN, "GB82 WEST 1234 5698 7654 32"}}},
		{"IBAN run", "GB82WEST12345698765432", []span{{IBAN, "GB82WEST12345698765432"}}},
		{"IBAN German", "DE89 3704 0044 0532 0130 00", []span{{IBAN, "DE89 3704 0044 0532 0130 00"}}},
		{"IBAN bad check", "GB82 WEST 1234 5698 7654 33", nil},
		{"IBAN wrong length", "GB82 WEST 1234 5698 7654 3", nil},

		// UK postcodes.
		{"postcode Jersey", "1 Seaton Place, St Helier JE2 3QA.", []span{{UKPostcode, "JE2 3QA"}}},
		{"postcode SW1A", "SW1A 1AA", []span{{UKPostcode, "SW1A 1AA"}}},
		{"postcode no space", "EH11YZ", []span{{UKPostcode, "EH11YZ"}}},
		{"postcode lower", "to eh1 1yz", []span{{UKPostcode, "eh1 1yz"}}},
		{"postcode not an area", "MP3 4AB", nil},
		{"postcode bad inward letter", "JE2 3CI", nil},
		{"postcode mixed case", "Je2 3qA", nil},
		{"postcode inside a word", "XJE2 3QA", nil},

		// Several at once, in order, and ordinary numbers left alone.
		{"mixed", "On 12/03/2024 at 14:05 Bob (bob@example.com, 07700 900123) lost 3 files worth £1,250.",
			[]span{{Email, "bob@example.com"}, {UKPhone, "07700 900123"}}},
		{"nothing", "The laptop was stolen from a car in 2019; 25,000 records affected.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []span
			for _, p := range Detect(tt.text) {
				if p.Start < 0 || p.End > len(tt.text) || p.Start >= p.End {
					t.Fatalf("bad offsets %+v", p)
				}
				got = append(got, span{p.Kind, tt.text[p.Start:p.End]})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Detect(%q)\n got %v\nwant %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestCheckDigits(t *testing.T) {
	if !luhn([]byte("79927398713")) || luhn([]byte("79927398710")) {
		t.Error("luhn: the ISO/IEC 7812 worked example")
	}
	if !validNHS([]byte("9434765919")) || validNHS([]byte("9434765910")) {
		t.Error("validNHS")
	}
	if mod97([]byte("GB82WEST12345698765432")) != 1 {
		t.Error("mod97")
	}
}
