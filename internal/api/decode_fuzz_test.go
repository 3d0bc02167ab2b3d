package api_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/api"
	"github.com/vigil-ir/vigil/internal/domain"
)

// decodeSeeds are documents of every kind the decoder meets: valid ones, and each kind of
// bad input. More seeds live in testdata/fuzz/FuzzDecodeIncident.
var decodeSeeds = []string{
	`{"title":"Lost laptop","nature":"Left on a train"}`,
	`{"title":"Phishing","nature":"Credential phishing","systems":"Exchange","people":"Finance","discovery":"A report",
	  "reporter":{"name":"Ann","contact":"ann@example.org","relationship":"contractor"},"channel":"phone",
	  "occurred_at":"2026-02-20T09:30:00+01:00","occurred_precision":"hour","discovered_at":"2026-02-21T10:00:00Z",
	  "aware_at":"2026-02-21T11:15:30.5Z","reported_at":"2026-02-22T08:00:00Z","class":"incident","near_miss":true,
	  "personal_data":"yes","owner":"dpo@example.org","restricted":true,"exercise":false,"tags":["Phishing"," e-mail "]}`,
	`{"status":"triage"}`,
	`{"status":"merged"}`,
	`{"occurred_at":null,"discovered_at":null,"aware_at":null,"reporter":null,"tags":null}`,
	`{}`,
	``,
	`null`,
	`[]`,
	`"text"`,
	`{"title":"x",`,
	`{"title":"a","nature":"b"}]`,
	`{"title":"a","nature":"b"} {}`,
	"{\"title\":\"caf\xe9\"}",
	`{"title":"\ud800","nature":"\u0000"}`,
	`{"title":5,"near_miss":"yes","tags":"x","reporter":"bob","occurred_at":5,"class":3,"personal_data":null}`,
	`{"reporter":{"name":{"first":"Ann"},"phone":"1","relationship":7}}`,
	`{"titel":"typo","ref":"INC-2026-00001","version":3,"links":[],"Title":"x"}`,
	`{"occurred_at":"0001-01-01T00:00:00Z","discovered_at":"9999-12-31T23:59:59Z"}`,
	`{"occurred_at":"2026-02-21T10:00:00Z","discovered_at":"2026-02-20T10:00:00Z","aware_at":"2026-02-19T00:00:00Z"}`,
	`{"occurred_at":"2026-02-30T10:00:00Z","discovered_at":"2026-02-20","aware_at":"2026-02-20T10:00:00"}`,
	`{"reported_at":null}`,
	`{"title":"a","title":"b","nature":"n"}`,
	`{"tags":[1,2],"class":"major","channel":"fax","occurred_precision":"minute"}`,
	`{"title":"` + strings.Repeat("x", 201) + `","nature":"n"}`,
	` {"title" : "spaced" , "nature" : "n" } ` + "\n\t",
	`{"a":{"b":{"c":[[[[[[[[[[{}]]]]]]]]]]}}}`,
	`{"near_miss":1e999}`,
}

// FuzzDecodeIncident feeds arbitrary bytes to DecodeIncident. It must never panic; an error
// must be a *domain.ValidationError naming each bad field with a message; and a patch it
// accepts, applied to a fresh incident, either validates or is refused with a
// ValidationError, never anything else. What is accepted can be applied again without
// change, and is described by the OpenAPI document's Incident schema.
func FuzzDecodeIncident(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	incidentSchema, err := spec(f).schemaAt("components", "schemas", "Incident")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		patch, err := api.DecodeIncident(body)
		if err != nil {
			checkValidationError(t, "DecodeIncident", err)
			return
		}
		inc := &domain.Incident{Ref: "INC-2026-00001", Title: "Fresh", Nature: "A fresh incident", Channel: domain.ChannelAPI,
			ReportedAt: now.Add(-time.Hour), Version: 1, CreatedAt: now, UpdatedAt: now}
		inc.Normalize()
		if err := inc.Validate(now); err != nil {
			t.Fatalf("the fresh incident is invalid: %v", err)
		}
		changes, err := domain.Apply(inc, patch, now)
		if err != nil {
			checkValidationError(t, "Apply", err)
			return
		}
		if err := inc.Validate(now); err != nil {
			t.Fatalf("Apply accepted %q but the result does not validate: %v", body, err)
		}
		for _, c := range changes {
			if c.Field == "" || reflect.DeepEqual(c.Before, c.After) {
				t.Fatalf("change %+v names no field or changes nothing", c)
			}
		}
		again := *inc
		if more, err := domain.Apply(&again, patch, now); err != nil || len(more) != 0 {
			t.Fatalf("applying %q twice: changes %+v, error %v", body, more, err)
		}
		js, err := json.Marshal(inc)
		if err != nil {
			t.Fatalf("marshalling the result: %v", err)
		}
		var doc any
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		if err := incidentSchema.Validate(toSchemaValue(doc)); err != nil {
			t.Fatalf("accepted %q, but the incident does not match the OpenAPI document: %v\n%s", body, err, js)
		}
	})
}

// checkValidationError insists on a ValidationError whose every entry names a field and says why.
func checkValidationError(t *testing.T, where string, err error) {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%s: error %v is a %T, not a *domain.ValidationError", where, err, err)
	}
	if len(ve.Fields) == 0 {
		t.Fatalf("%s: ValidationError with no fields", where)
	}
	for _, fe := range ve.Fields {
		if fe.Field == "" || strings.TrimSpace(fe.Message) == "" {
			t.Fatalf("%s: field error %+v lacks a field or a message", where, fe)
		}
	}
}

// toSchemaValue converts encoding/json's float64 numbers to json.Number, as the schema
// validator expects.
func toSchemaValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = toSchemaValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = toSchemaValue(e)
		}
	case float64:
		b, _ := json.Marshal(x)
		return json.Number(b)
	}
	return v
}

// TestDecodeIncidentNamesFields pins the decoder's answers for the seeds whose outcome is
// part of the API contract.
func TestDecodeIncidentNamesFields(t *testing.T) {
	cases := []struct {
		body   string
		fields []string // nil: accepted
	}{
		{decodeSeeds[0], nil},
		{decodeSeeds[1], nil},
		{`{}`, nil},
		{``, []string{"body"}},
		{`null`, []string{"body"}},
		{`{"title":"a","nature":"b"}]`, []string{"body"}},
		{`{"title":"a","nature":"b"}` + " \r\n\t", nil},
		{"{\"title\":\"caf\xe9\"}", []string{"body"}},
		{decodeSeeds[15], []string{"class", "near_miss", "occurred_at", "personal_data", "reporter", "tags", "title"}},
		{decodeSeeds[16], []string{"reporter.name", "reporter.phone", "reporter.relationship"}},
		{decodeSeeds[17], []string{"Title", "links", "ref", "titel", "version"}},
		{`{"reporter":[]}`, []string{"reporter"}},
		{`{"":""}`, []string{`""`}}, // found by the fuzzer: an empty key named no field
		{`{"reporter":{"name":"x"} }`, nil},
	}
	for _, c := range cases {
		_, err := api.DecodeIncident([]byte(c.body))
		if c.fields == nil {
			if err != nil {
				t.Errorf("%q: %v", c.body, err)
			}
			continue
		}
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q: error %v, want a ValidationError", c.body, err)
			continue
		}
		var got []string
		for _, fe := range ve.Fields {
			got = append(got, fe.Field)
		}
		if strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("%q names %v, want %v", c.body, got, c.fields)
		}
	}
}
