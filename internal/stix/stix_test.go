package stix

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-ir/vigil/internal/store"
)

func TestPattern(t *testing.T) {
	tests := []struct{ typ, value, want string }{
		{"url", "https://evil.test/a?b=c", `[url:value = 'https://evil.test/a?b=c']`},
		{"url", `https://evil.test/it's\here`, `[url:value = 'https://evil.test/it\'s\\here']`},
		{"file-sha256", "ab12", `[file:hashes.'SHA-256' = 'ab12']`},
		{"email-subject", `Don't pay`, `[email-message:subject = 'Don\'t pay']`},
		{"domain-name", "evil.test", `[domain-name:value = 'evil.test']`},
	}
	for _, tt := range tests {
		got, err := Pattern(tt.typ, tt.value)
		if err != nil || got != tt.want {
			t.Errorf("Pattern(%s, %q) = %q, %v; want %q", tt.typ, tt.value, got, err, tt.want)
		}
	}
	if _, err := Pattern("mutex", "x"); err == nil {
		t.Error("an unknown type got a pattern")
	}
}

func TestBundleValidates(t *testing.T) {
	at := time.Date(2026, 3, 3, 9, 57, 0, 0, time.UTC)
	obs := []*store.Observable{
		{Ref: "INC-2026-00001", Type: "url", Value: `https://login.evil.test/reset?u='alice'\x`, TLP: "amber", FirstSeen: at, LastSeen: at.Add(time.Hour), Count: 2},
		{Ref: "INC-2026-00001", Type: "file-sha256", Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", TLP: "amber", FirstSeen: at, LastSeen: at},
		{Ref: "INC-2026-00002", Type: "email-addr", Value: "helpdesk@evil.test", TLP: "green", FirstSeen: at, LastSeen: at},
	}
	var buf bytes.Buffer
	if err := Write(&buf, obs); err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := os.ReadFile("testdata/bundle.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	sd, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("bundle.schema.json", sd); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("bundle.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("bundle does not validate: %v\n%s", err, buf.String())
	}

	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Objects) != 5 { // three indicators, the AMBER and GREEN definitions
		t.Fatalf("%d objects, want 5", len(b.Objects))
	}
	first := b.Objects[0]
	if first["pattern"] != `[url:value = 'https://login.evil.test/reset?u=\'alice\'\\x']` {
		t.Errorf("pattern = %v", first["pattern"])
	}
	if refs := first["object_marking_refs"].([]any); refs[0] != markings["amber"] {
		t.Errorf("marking = %v", refs)
	}
	green := b.Objects[2]["object_marking_refs"].([]any)[0]
	if green != "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" {
		t.Errorf("green marking = %v", green)
	}
	// Deterministic: the same observables give the same ids.
	var again bytes.Buffer
	if err := Write(&again, obs); err != nil {
		t.Fatal(err)
	}
	if again.String() != buf.String() {
		t.Error("two exports of the same observables differ")
	}
	if !strings.Contains(buf.String(), `"tlp_2_0": "amber"`) {
		t.Error("the AMBER marking definition lacks its TLP 2.0 extension")
	}
}
