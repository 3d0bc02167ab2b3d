package breach

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestDecodeFactsRejects(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty document", ``, "unexpected end of document"},
		{"top-level null", `null`, "want a JSON object, got null"},
		{"top-level array", `[]`, "want an object, got an array"},
		{"syntax error", `{"jurisdictions": ["UK"],}`, "invalid JSON at byte"},
		{"invalid UTF-8", "{\"jurisdictions\":[\"UK\"],\"cause\":{\"description\":\"\xff\"}}", "document is not valid UTF-8"},
		{"trailing object", `{"jurisdictions":["UK"]} {}`, "trailing data after the facts object"},
		{"trailing garbage", `{"jurisdictions":["UK"]}x`, "trailing data after the facts object"},
		{"unknown top-level field", `{"jurisdictions":["UK"],"severity":3}`, "severity: unknown field"},
		{"unknown nested field", `{"jurisdictions":["UK"],"confidentiality":{"leaked":true}}`, "confidentiality.leaked: unknown field"},
		{"unknown enum value", `{"jurisdictions":["UK"],"confidentiality":{"exposure":"foo"}}`, `confidentiality.exposure: unknown value "foo"`},
		{"enum case matters", `{"jurisdictions":["uk"]}`, `jurisdictions[0]: unknown value "uk"`},
		{"unknown list value", `{"jurisdictions":["UK","FR"]}`, `jurisdictions[1]: unknown value "FR"`},
		{"unknown category", `{"jurisdictions":["UK"],"data":{"categories":["contact","dna"]}}`, `data.categories[1]: unknown value "dna"`},
		{"unknown country", `{"jurisdictions":["EU"],"eu_main_establishment":"US"}`, `eu_main_establishment: unknown value "US"`},
		{"unknown member state", `{"jurisdictions":["EU"],"eu_member_states":["FR","GB"]}`, `eu_member_states[1]: unknown value "GB"`},
		{"unknown schema", `{"schema":"vigil.breach-facts/v2","jurisdictions":["UK"]}`, `schema: unknown value "vigil.breach-facts/v2"`},
		{"empty enum string", `{"jurisdictions":["UK"],"role":""}`, `role: unknown value ""`},
		{"duplicate list value", `{"jurisdictions":["UK","UK"]}`, `jurisdictions[1]: duplicate value "UK"`},
		{"null list element", `{"jurisdictions":["UK",null]}`, "jurisdictions[1]: want a value, got null"},
		{"duplicate key", `{"jurisdictions":["UK"],"jurisdictions":["EU"]}`, "jurisdictions: duplicate field"},
		{"missing jurisdictions", `{"role":"controller"}`, "jurisdictions: required"},
		{"empty jurisdictions", `{"jurisdictions":[]}`, "jurisdictions: required"},
		{"null jurisdictions", `{"jurisdictions":null}`, "jurisdictions: required"},
		{"jurisdictions not a list", `{"jurisdictions":"UK"}`, "jurisdictions: want an array, got a string"},
		{"section not an object", `{"jurisdictions":["UK"],"subjects":[]}`, "subjects: want an object, got an array"},
		{"bool as string", `{"jurisdictions":["UK"],"ongoing":"yes"}`, "ongoing: want true or false, got a string"},
		{"count as string", `{"jurisdictions":["UK"],"subjects":{"count":"12"}}`, "subjects.count: want a whole number, got a string"},
		{"negative count", `{"jurisdictions":["UK"],"subjects":{"count":-1}}`, "subjects.count: want a whole number of at least 0, got -1"},
		{"fractional count", `{"jurisdictions":["UK"],"data":{"records":1.5}}`, "data.records: want a whole number of at least 0, got 1.5"},
		{"negative hours", `{"jurisdictions":["UK"],"availability":{"restored_within_hours":-2}}`, "availability.restored_within_hours: want a number of hours of at least 0"},
		{"huge hours", `{"jurisdictions":["UK"],"availability":{"restored_within_hours":1e400}}`, "availability.restored_within_hours: want a number of hours of at least 0"},
		{"date without time", `{"jurisdictions":["UK"],"aware_at":"2026-11-20"}`, "aware_at: want an RFC 3339 instant"},
		{"instant without zone", `{"jurisdictions":["UK"],"occurred_at":"2026-11-20T09:15:00"}`, "occurred_at: want an RFC 3339 instant"},
		{"aware before occurred", `{"jurisdictions":["UK"],"occurred_at":"2026-11-20T10:00:00Z","aware_at":"2026-11-20T09:59:59Z"}`, "aware_at: is before occurred_at"},
		{"mitigation not text", `{"jurisdictions":["UK"],"mitigations":[1]}`, "mitigations[0]: want a string, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFacts([]byte(tt.doc))
			if err == nil {
				t.Fatalf("DecodeFacts(%s) succeeded, want error containing %q", tt.doc, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("error %v is %T, want *InputError", err, err)
			}
		})
	}
}

func TestDecodeFactsTooLarge(t *testing.T) {
	doc := `{"jurisdictions":["UK"],"cause":{"description":"` + strings.Repeat("x", MaxDocumentSize) + `"}}`
	_, err := Decode(strings.NewReader(doc))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v, want a size error", err)
	}
}

func TestDecodeWrapsReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Decode(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want it to wrap %v", err, boom)
	}
	var ie *InputError
	if errors.As(err, &ie) {
		t.Errorf("a read error must not look like bad input: %v", err)
	}
}

func TestDecodeFactsAccepts(t *testing.T) {
	doc := `{
	  "schema": "vigil.breach-facts/v1",
	  "jurisdictions": ["UK", "EU", "JE"],
	  "eu_member_states": ["FR", "DE"],
	  "eu_main_establishment": "IE",
	  "role": "controller",
	  "occurred_at": "2026-11-18T22:00:00Z",
	  "aware_at": "2026-11-20T10:15:00+01:00",
	  "personal_data": "yes",
	  "subjects": {"count": 1200, "count_is_estimate": true, "kinds": ["customers"], "vulnerable": false},
	  "data": {"categories": ["basic_identifiers", "contact"], "records": 1200, "volume_per_subject": "single"},
	  "confidentiality": {"lost": true, "exposure": "unknown_recipients", "recipients": 15, "exfiltration": "confirmed",
	    "recipient_bound_by_confidentiality": false, "recipient_confirmed_deletion": false, "data_recovered": false},
	  "integrity": {"lost": false, "altered_data_used": false, "recoverable": true},
	  "availability": {"lost": true, "permanent": false, "restored_within_hours": 48.5, "impact_on_subjects": "severe"},
	  "protection": {"encryption": "state_of_the_art", "key_compromised": false, "password_hashing": "none",
	    "pseudonymised": false, "remote_wipe": false},
	  "cause": {"malicious": true, "actor": "external", "description": "ransomware ✓"},
	  "misuse_observed": false,
	  "ongoing": false,
	  "mitigations": ["passwords_reset", "recipient_asked_to_delete"]
	}`
	f, err := DecodeFacts([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Jurisdiction{"UK", "EU", "JE"}; !reflect.DeepEqual(f.Jurisdictions, want) {
		t.Errorf("jurisdictions = %v, want %v", f.Jurisdictions, want)
	}
	if want := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC); !f.AwareAt.Equal(want) {
		t.Errorf("aware_at = %v, want %v", f.AwareAt, want)
	}
	if *f.Subjects.Count != 1200 || *f.Availability.RestoredWithinHours != 48.5 || f.Cause.Description != "ransomware ✓" {
		t.Errorf("scalars decoded wrongly: %+v %+v %+v", f.Subjects, f.Availability, f.Cause)
	}
	if f.Confidentiality.Exposure != ExposureUnknownRecipients || isTrue(f.Confidentiality.DataRecovered) || f.Confidentiality.DataRecovered == nil {
		t.Errorf("confidentiality decoded wrongly: %+v", f.Confidentiality)
	}
}

// JSON null is the same as leaving the field out.
func TestDecodeFactsNullIsAbsent(t *testing.T) {
	f, err := DecodeFacts([]byte(`{"jurisdictions":["UK"],"role":null,"subjects":null,"aware_at":null,
	  "confidentiality":{"lost":null,"exposure":null,"recipients":null},"mitigations":null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{Jurisdictions: []Jurisdiction{JurisdictionUK}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got %+v, want %+v", f, want)
	}
}

// Encoding Facts with its JSON tags and decoding the result must give the same decision: the
// struct tags and the decoder's field names are the same contract.
func TestFactsRoundTrip(t *testing.T) {
	for name, c := range loadCases(t) {
		f, err := DecodeFacts(c.Facts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertRoundTrip(t, f)
	}
	rng := newFactsRand(7)
	for range 500 {
		assertRoundTrip(t, rng.facts())
	}
}

func assertRoundTrip(t *testing.T, f Facts) {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeFacts(data)
	if err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if a, b := Assess(f), Assess(back); !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip of %s changed the decision:\n%+v\n%+v", data, a, b)
	}
}
