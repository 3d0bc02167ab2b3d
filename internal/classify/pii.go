package classify

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of personal data the detector finds.
type Kind string

// Kinds of personal data.
const (
	Email       Kind = "email"
	UKPhone     Kind = "uk_phone"
	NINumber    Kind = "ni_number"    // UK National Insurance number
	NHSNumber   Kind = "nhs_number"   // England, Wales and Isle of Man NHS number
	PaymentCard Kind = "payment_card" // primary account number
	IBAN        Kind = "iban"
	UKPostcode  Kind = "uk_postcode" // including Jersey, Guernsey and Isle of Man
)

// PII locates one piece of personal data: text[Start:End] in bytes. It never holds the value.
type PII struct {
	Kind  Kind   `json:"kind"`
	Field string `json:"field,omitempty"` // the Report field, for SuggestReport
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Detect finds personal data in text and returns where it is, in order, without overlaps.
// Numbers are only reported when they pass their check (Luhn for cards, modulus 11 for NHS
// numbers, modulus 97 for IBANs) or the format rules of their scheme, so that reference
// numbers, dates and amounts are not mistaken for personal data.
func Detect(text string) []PII {
	var found []PII
	found = emails(text, found)
	found = numbers(text, found)
	found = codes(text, found)
	// Keep the earliest, then the longest, of overlapping finds: the e-mail address, not
	// the postcode-shaped text inside it.
	slices.SortFunc(found, func(a, b PII) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	out := found[:0]
	end := 0
	for _, p := range found {
		if p.Start >= end {
			out = append(out, p)
			end = p.End
		}
	}
	return out
}

func isDigit(b byte) bool  { return '0' <= b && b <= '9' }
func isUpper(b byte) bool  { return 'A' <= b && b <= 'Z' }
func isLower(b byte) bool  { return 'a' <= b && b <= 'z' }
func isLetter(b byte) bool { return isUpper(b) || isLower(b) }
func isAlnum(b byte) bool  { return isDigit(b) || isLetter(b) }
func upper(b byte) byte {
	if isLower(b) {
		return b - 'a' + 'A'
	}
	return b
}

// startsWord reports whether a word can start at i: no letter or digit (in any script) just
// before it, so "é12" is not a number but "“01534" is.
func startsWord(s string, i int) bool {
	if i <= 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// endsWord reports whether a word can end just before i.
func endsWord(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// emails finds addresses shaped local@domain.tld (RFC 5322's dot-atom subset that people
// write in prose; quoted local parts are not looked for).
func emails(s string, found []PII) []PII {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		start := i
		for start > 0 && isLocalChar(s[start-1]) {
			start--
		}
		for start < i && s[start] == '.' { // a local part does not start with a dot
			start++
		}
		if start == i {
			continue
		}
		// Domain: labels of letters, digits and hyphens separated by dots; the last label (the
		// top-level domain) has at least two letters.
		end, lastDot := i+1, -1
		for end < len(s) && (isAlnum(s[end]) || s[end] == '-' || s[end] == '.') {
			if s[end] == '.' {
				if s[end-1] == '.' || s[end-1] == '@' {
					break
				}
				lastDot = end
			}
			end++
		}
		for end > i+1 && (s[end-1] == '.' || s[end-1] == '-') { // sentence full stop
			end--
		}
		if lastDot < 0 || lastDot >= end-2 || !allLetters(s[lastDot+1:end]) {
			continue
		}
		found = append(found, PII{Kind: Email, Start: start, End: end})
		i = end - 1
	}
	return found
}

func isLocalChar(b byte) bool { return isAlnum(b) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", b) >= 0 }

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// group is a run of digits inside a written number.
type group struct{ start, end int }

// numbers finds phone, NHS and card numbers. It reads each written number (digits in groups
// separated by single spaces or hyphens, perhaps with brackets and a leading "+") and tries
// windows of consecutive groups, longest first, so that "ref 12 call 01534 500050" still
// finds the phone number.
func numbers(s string, found []PII) []PII {
	for i := 0; i < len(s); {
		if !(isDigit(s[i]) || s[i] == '+' || s[i] == '(') || !startsWord(s, i) {
			i++
			continue
		}
		plus := s[i] == '+'
		var groups []group
		j := i
		if plus {
			j++
		}
		for j < len(s) {
			k := j
			for k < len(s) && (s[k] == '(' || s[k] == ')') {
				k++
			}
			g := group{start: k}
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			if k == g.start {
				break
			}
			g.end = k
			groups = append(groups, g)
			j = k
			// Separators: at most one space or hyphen, with brackets around ("(0) 1534",
			// "(01534) 500050", "1234 - 5678" is two numbers).
			k = j
			for k < len(s) && s[k] == ')' {
				k++
			}
			if k < len(s) && (s[k] == ' ' || s[k] == '-') {
				k++
			}
			if k < len(s) && (isDigit(s[k]) || s[k] == '(') {
				j = k
				continue
			}
			break
		}
		if len(groups) == 0 {
			i = max(j, i+1)
			continue
		}
		// A number glued to letters ("12ab") is a code, not a number: drop its last group.
		if !endsWord(s, groups[len(groups)-1].end) {
			groups = groups[:len(groups)-1]
		}
		found = numberWindows(s, plus, groups, found)
		i = max(j, i+1)
	}
	return found
}

func numberWindows(s string, plus bool, groups []group, found []PII) []PII {
	for a := 0; a < len(groups); {
		matched := false
		for b := min(len(groups)-1, a+7); b >= a; b-- {
			w := groups[a : b+1]
			start := w[0].start
			var digits []byte
			for _, g := range w {
				digits = append(digits, s[g.start:g.end]...)
			}
			var kind Kind
			switch {
			case a == 0 && plus && ukInternational(digits):
				kind, start = UKPhone, plusStart(s, start)
			case len(digits) > 2 && digits[0] == '0' && digits[1] == '0' && ukInternational(digits[2:]):
				kind = UKPhone
			case ukNational(digits):
				kind = UKPhone
			case cardGrouping(w) && validCard(digits):
				kind = PaymentCard
			case nhsGrouping(w) && validNHS(digits):
				kind = NHSNumber
			default:
				continue
			}
			found = append(found, PII{Kind: kind, Start: start, End: w[len(w)-1].end})
			a, matched = b+1, true
			break
		}
		if !matched {
			a++
		}
	}
	return found
}

// plusStart moves a phone number's start back to its "+".
func plusStart(s string, start int) int {
	for start > 0 && s[start] != '+' {
		start--
	}
	return start
}

// UK numbers (Ofcom's National Telephone Numbering Plan): a trunk "0" then ten digits, the
// first of which is 1 or 2 (geographic, including Jersey's 01534), 3 (non-geographic), 5
// (corporate), 7 (mobile, personal, pagers), 8 (freephone, special rates) or 9 (premium).
// Internationally, +44 or 0044 replaces the 0, sometimes written "+44 (0)".
func ukNational(d []byte) bool {
	return len(d) == 11 && d[0] == '0' && strings.IndexByte("1235789", d[1]) >= 0
}

func ukInternational(d []byte) bool {
	if len(d) < 12 || d[0] != '4' || d[1] != '4' {
		return false
	}
	rest := d[2:]
	if len(rest) == 11 && rest[0] == '0' { // "+44 (0)1534 ..."
		rest = rest[1:]
	}
	return len(rest) == 10 && strings.IndexByte("1235789", rest[0]) >= 0
}

// Card numbers (ISO/IEC 7812) are 12 to 19 digits; those people write in reports are 13 to 19
// and start with 2 (Mastercard 2-series), 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard,
// Maestro) or 6 (Discover, Maestro, UnionPay). They are printed in one run or in groups of
// four (Amex 4-6-5).
func cardGrouping(w []group) bool {
	if len(w) == 1 {
		return true
	}
	lens := make([]int, len(w))
	for i, g := range w {
		lens[i] = g.end - g.start
	}
	if slices.Equal(lens, []int{4, 6, 5}) || slices.Equal(lens, []int{4, 6, 4}) {
		return true
	}
	for i, n := range lens {
		if n != 4 && !(i == len(lens)-1 && n >= 1 && n < 4) {
			return false
		}
	}
	return true
}

func validCard(d []byte) bool {
	return len(d) >= 13 && len(d) <= 19 && d[0] >= '2' && d[0] <= '6' && luhn(d)
}

// luhn is the ISO/IEC 7812-1 check: double every second digit from the right, add the digits
// of the results and the other digits; the total is a multiple of 10.
func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// NHS numbers are ten digits, written in one run or as 3-3-4.
func nhsGrouping(w []group) bool {
	if len(w) == 1 {
		return true
	}
	return len(w) == 3 && w[0].end-w[0].start == 3 && w[1].end-w[1].start == 3 && w[2].end-w[2].start == 4
}

// validNHS applies the NHS number modulus 11 check (NHS Data Dictionary, "NHS Number"):
// weight the first nine digits 10 down to 2, sum, and subtract the remainder mod 11 from 11;
// 11 means a check digit of 0 and 10 means the number is invalid.
func validNHS(d []byte) bool {
	if len(d) != 10 {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(d[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(d[9]-'0')
}

// codes finds the letter-led identifiers: National Insurance numbers, IBANs and postcodes.
func codes(s string, found []PII) []PII {
	for i := 0; i+1 < len(s); i++ {
		if !isLetter(s[i]) || !startsWord(s, i) {
			continue
		}
		if end := niNumber(s, i); end > 0 {
			found = append(found, PII{Kind: NINumber, Start: i, End: end})
		} else if end := iban(s, i); end > 0 {
			found = append(found, PII{Kind: IBAN, Start: i, End: end})
		} else if end := postcode(s, i); end > 0 {
			found = append(found, PII{Kind: UKPostcode, Start: i, End: end})
		}
	}
	return found
}

// niNumber matches a National Insurance number at i and returns its end, or 0. The format
// (HMRC National Insurance Manual NIM39110): two prefix letters, six digits (often written in
// pairs), a suffix A, B, C or D. The first letter is not D, F, I, Q, U or V; the second is
// not D, F, I, O, Q, U or V; the prefixes BG, GB, KN, NK, NT, TN and ZZ are not allocated.
// The suffix is required: without it too many reference numbers would match.
func niNumber(s string, i int) int {
	if i+9 > len(s) || !isLetter(s[i+1]) {
		return 0
	}
	a, b := upper(s[i]), upper(s[i+1])
	if strings.IndexByte("DFIQUV", a) >= 0 || strings.IndexByte("DFIOQUV", b) >= 0 {
		return 0
	}
	switch string([]byte{a, b}) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return 0
	}
	// Digits in one run or in pairs, with at most a space before each pair and the suffix.
	j := i + 2
	for range 3 {
		if j < len(s) && s[j] == ' ' {
			j++
		}
		if j+2 > len(s) || !isDigit(s[j]) || !isDigit(s[j+1]) {
			return 0
		}
		j += 2
	}
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || strings.IndexByte("ABCD", upper(s[j])) < 0 || !endsWord(s, j+1) {
		return 0
	}
	return j + 1
}

// ibanLengths are the IBAN lengths of the countries most likely in UK and Jersey reports
// (SWIFT IBAN Registry). Other countries are accepted at any length from 15 to 34, with the
// check digits.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
	"FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
	"IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15,
	"PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
}

// iban matches an IBAN at i (ISO 13616: country code, two check digits, up to 30 letters and
// digits, printed in one run or in groups of four) and returns its end, or 0. It must pass
// the ISO 7064 MOD 97-10 check.
func iban(s string, i int) int {
	if i+15 > len(s) || !isLetter(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0
	}
	// Collect characters and the ends of groups, which are where the IBAN may end.
	var chars []byte
	var ends []int // ends[k]: offset in s after the k-th group
	var lens []int // lens[k]: len(chars) at that offset
	j := i
	for j < len(s) && len(chars) < 34 {
		k := j
		for k < len(s) && isAlnum(s[k]) && len(chars) < 34 {
			chars = append(chars, upper(s[k]))
			k++
		}
		if k == j {
			break
		}
		ends, lens = append(ends, k), append(lens, len(chars))
		if k+1 < len(s) && s[k] == ' ' && isAlnum(s[k+1]) {
			j = k + 1
			continue
		}
		break
	}
	want := ibanLengths[string(chars[:2])]
	for k := len(ends) - 1; k >= 0; k-- {
		n := lens[k]
		if !endsWord(s, ends[k]) { // cut short inside a longer word
			continue
		}
		if (want != 0 && n != want) || (want == 0 && (n < 15 || n > 34)) {
			continue
		}
		if mod97(chars[:n]) == 1 {
			return ends[k]
		}
	}
	return 0
}

// mod97 computes the IBAN check: move the first four characters to the end, replace letters
// by 10..35, and take the number modulo 97. Valid IBANs give 1.
func mod97(c []byte) int {
	r := 0
	for i := range c {
		b := c[(i+4)%len(c)]
		switch {
		case isDigit(b):
			r = (r*10 + int(b-'0')) % 97
		case isUpper(b):
			r = (r*100 + int(b-'A'+10)) % 97
		default:
			return -1
		}
	}
	return r
}

// postcodeAreas are the UK postcode areas (Royal Mail), with the Crown Dependencies' GY, JE
// and IM. Requiring a real area keeps "MP3 4AB"-like text from matching.
var postcodeAreas = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Fields(`AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW
		DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP
		IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL
		PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA
		WC WD WF WN WR WS WV YO ZE`) {
		m[a] = true
	}
	return m
}()

// postcode matches a UK postcode at i and returns its end, or 0. Format (Royal Mail
// Programmers' Guide): outward code area + district (A9, A99, A9A, AA9, AA99, AA9A), an
// optional space, inward code digit + two letters not C, I, K, M, O or V. The letters are all
// upper or all lower case: "Sw1a 1aA" is more likely something else.
func postcode(s string, i int) int {
	j := i
	for j < len(s) && j-i < 2 && isLetter(s[j]) {
		j++
	}
	if !postcodeAreas[strings.ToUpper(s[i:j])] || j >= len(s) || !isDigit(s[j]) {
		return 0
	}
	// The district is a digit then perhaps a digit or a letter; the inward code is always
	// three characters, which settles "B11AA" (B1 1AA) against "B12 1AA".
	for _, d := range []int{1, 2} {
		k := j + d
		if k > len(s) || (d == 2 && !isAlnum(s[j+1])) {
			continue
		}
		if k < len(s) && s[k] == ' ' {
			k++
		}
		if k+3 > len(s) || !isDigit(s[k]) || !inwardLetter(s[k+1]) || !inwardLetter(s[k+2]) || !endsWord(s, k+3) {
			continue
		}
		code := s[i : k+3]
		if strings.ToUpper(code) != code && strings.ToLower(code) != code {
			return 0
		}
		return k + 3
	}
	return 0
}

func inwardLetter(b byte) bool { return isLetter(b) && strings.IndexByte("CIKMOV", upper(b)) < 0 }
