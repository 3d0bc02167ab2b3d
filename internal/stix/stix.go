// Package stix writes observables as a STIX 2.1 bundle of indicators, marked with the
// standard TLP 2.0 marking definitions, for threat-intelligence platforms (MISP, OpenCTI).
// It is pure: no I/O beyond the writer it is given.
package stix

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vigil-ir/vigil/internal/store"
)

// namespace makes indicator ids UUIDv5: the same observable on the same incident always
// has the same id, so a platform importing an export twice updates rather than duplicates.
var namespace = uuid.MustParse("6b0c1d2e-3f40-5a6b-8c7d-9e0f1a2b3c4d")

// tlpExtension is the STIX extension definition that carries TLP 2.0 levels.
const tlpExtension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// markings are the marking definitions published for TLP 2.0 (OASIS CTI TC, 2022); every
// producer uses these ids, so receivers recognise the level without reading the object.
var markings = map[string]string{
	"clear":        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	"green":        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	"amber":        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	"amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	"red":          "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// Marking returns the id of the TLP 2.0 marking definition for level.
func Marking(level string) (string, bool) {
	id, ok := markings[level]
	return id, ok
}

// patterns maps Vigil's observable types to STIX object paths.
var patterns = map[string]string{
	"url":           "url:value",
	"domain-name":   "domain-name:value",
	"email-addr":    "email-addr:value",
	"ipv4-addr":     "ipv4-addr:value",
	"file-sha256":   "file:hashes.'SHA-256'",
	"file-name":     "file:name",
	"email-subject": "email-message:subject",
}

// Pattern is the STIX pattern matching an observable.
func Pattern(typ, value string) (string, error) {
	path, ok := patterns[typ]
	if !ok {
		return "", fmt.Errorf("stix: no pattern for observable type %q", typ)
	}
	// STIX patterning string literals escape only the quote and the backslash.
	esc := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(value)
	return "[" + path + " = '" + esc + "']", nil
}

// Indicator is a STIX 2.1 indicator SDO.
type Indicator struct {
	Type               string              `json:"type"`
	SpecVersion        string              `json:"spec_version"`
	ID                 string              `json:"id"`
	Created            string              `json:"created"`
	Modified           string              `json:"modified"`
	Name               string              `json:"name"`
	IndicatorTypes     []string            `json:"indicator_types"`
	Pattern            string              `json:"pattern"`
	PatternType        string              `json:"pattern_type"`
	ValidFrom          string              `json:"valid_from"`
	Labels             []string            `json:"labels"`
	ExternalReferences []ExternalReference `json:"external_references"`
	ObjectMarkingRefs  []string            `json:"object_marking_refs"`
}

// ExternalReference names the incident the indicator came from.
type ExternalReference struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id"`
}

// MarkingDefinition is a TLP 2.0 marking definition object.
type MarkingDefinition struct {
	Type        string                    `json:"type"`
	SpecVersion string                    `json:"spec_version"`
	ID          string                    `json:"id"`
	Created     string                    `json:"created"`
	Name        string                    `json:"name"`
	Extensions  map[string]map[string]any `json:"extensions"`
}

// Bundle is a STIX 2.1 bundle.
type Bundle struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// NewBundle builds the bundle of indicators for obs, with the marking definitions they use.
func NewBundle(obs []*store.Observable) (*Bundle, error) {
	b := &Bundle{Type: "bundle", Objects: []any{}}
	used := map[string]bool{}
	var ids []string
	for _, o := range obs {
		pattern, err := Pattern(o.Type, o.Value)
		if err != nil {
			return nil, err
		}
		marking, ok := markings[o.TLP]
		if !ok {
			return nil, fmt.Errorf("stix: unknown TLP level %q on %s %s", o.TLP, o.Type, o.Value)
		}
		used[o.TLP] = true
		id := "indicator--" + uuid.NewSHA1(namespace, []byte(o.Ref+"\x00"+o.Type+"\x00"+o.Value)).String()
		ids = append(ids, id)
		b.Objects = append(b.Objects, Indicator{
			Type: "indicator", SpecVersion: "2.1", ID: id,
			Created: timestamp(o.FirstSeen), Modified: timestamp(o.LastSeen), ValidFrom: timestamp(o.FirstSeen),
			Name:           o.Type + ": " + o.Value,
			IndicatorTypes: []string{"malicious-activity"}, Labels: []string{"phishing"},
			Pattern: pattern, PatternType: "stix",
			ExternalReferences: []ExternalReference{{SourceName: "vigil", ExternalID: o.Ref}},
			ObjectMarkingRefs:  []string{marking},
		})
	}
	levels := make([]string, 0, len(used))
	for l := range used {
		levels = append(levels, l)
	}
	sort.Strings(levels)
	for _, l := range levels {
		b.Objects = append(b.Objects, MarkingDefinition{Type: "marking-definition", SpecVersion: "2.1", ID: markings[l],
			Created: "2022-10-01T00:00:00.000Z", Name: "TLP:" + strings.ToUpper(l),
			Extensions: map[string]map[string]any{tlpExtension: {"extension_type": "property-extension", "tlp_2_0": l}}})
	}
	// The bundle id follows from its content, so the same export has the same id.
	b.ID = "bundle--" + uuid.NewSHA1(namespace, []byte(strings.Join(ids, ","))).String()
	return b, nil
}

// Write writes the bundle for obs as indented JSON.
func Write(w io.Writer, obs []*store.Observable) error {
	b, err := NewBundle(obs)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}
