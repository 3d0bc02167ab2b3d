package veris

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// SchemaVersion is the VERIS version Vigil writes for incidents born in Vigil.
const SchemaVersion = "1.3.4"

// Facts is what Vigil knows of an incident, in its own vocabulary, for mapping it to VERIS.
type Facts struct {
	Ref, Title, Nature, Discovery            string
	Class, Status                            string // triage class; status
	NearMiss                                 bool
	PersonalData                             string
	RSITClass, RSITType, ICOType             string
	Confidentiality, Integrity, Availability Impact
	OccurredAt, DiscoveredAt, ContainedAt    *time.Time
	OccurredPrecision                        string
	ReportedAt, CreatedAt, UpdatedAt         time.Time
}

// IncidentID is the stable VERIS incident id (a name-based UUID, RFC 9562 version 5 layout)
// of a Vigil incident: the same key gives the same id in every export.
func IncidentID(key string) string {
	h := sha1.Sum([]byte("vigil:" + key))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// FromFacts maps an incident born in Vigil to a VERIS record valid against the VERIS
// schema. Whatever Vigil does not know is VERIS "Unknown"; key makes the incident id.
func FromFacts(f Facts, key string) (json.RawMessage, error) {
	id := IncidentID(key)
	doc := map[string]any{
		"schema_version":    SchemaVersion,
		"incident_id":       id,
		"source_id":         "vigil",
		"reference":         f.Ref,
		"security_incident": securityIncident(f),
		"summary":           strings.TrimSpace(f.Title + "\n\n" + f.Nature),
		"discovery_method":  map[string]any{"unknown": true},
		"action":            action(f),
		"actor":             map[string]any{"unknown": map[string]any{"notes": "The actor is not recorded in Vigil."}},
		"asset":             map[string]any{"assets": []any{map[string]any{"variety": "Unknown"}}, "cloud": []string{"Unknown"}},
		"plus": map[string]any{
			"master_id": id,
			"created":   f.CreatedAt.UTC().Format(time.RFC3339),
			"modified":  f.UpdatedAt.UTC().Format(time.RFC3339),
		},
	}
	if d := strings.TrimSpace(f.Discovery); d != "" {
		doc["discovery_notes"] = d
	}
	timeline := map[string]any{}
	inc := map[string]any{}
	switch t := f.OccurredAt; {
	case t == nil || f.OccurredPrecision == "unknown":
		// VERIS requires a year. The year the incident was recorded is the best bound there is;
		// the notes say so, so nobody mistakes it for a known date.
		inc["year"] = f.ReportedAt.Year()
		doc["notes"] = "timeline.incident.year is the year the incident was recorded in Vigil: when it occurred is not known."
	case f.OccurredPrecision == "month":
		inc["year"], inc["month"] = t.Year(), int(t.Month())
	default:
		inc["year"], inc["month"], inc["day"] = t.Year(), int(t.Month()), t.Day()
	}
	timeline["incident"] = inc
	if f.OccurredAt != nil && f.DiscoveredAt != nil && f.OccurredPrecision != "unknown" {
		timeline["discovery"] = interval(f.DiscoveredAt.Sub(*f.OccurredAt))
	}
	if f.DiscoveredAt != nil && f.ContainedAt != nil {
		timeline["containment"] = interval(f.ContainedAt.Sub(*f.DiscoveredAt))
	}
	doc["timeline"] = timeline
	attr := map[string]any{}
	if f.Confidentiality.Affected {
		c := map[string]any{"data_disclosure": "Unknown"}
		if f.PersonalData == "yes" {
			c["data"] = []any{map[string]any{"variety": "Personal"}}
		}
		if n := strings.TrimSpace(f.Confidentiality.Note); n != "" {
			c["notes"] = n
		}
		attr["confidentiality"] = c
	}
	for _, a := range []struct {
		name string
		imp  Impact
	}{{"integrity", f.Integrity}, {"availability", f.Availability}} {
		if a.imp.Affected {
			v := map[string]any{"variety": []string{"Unknown"}}
			if n := strings.TrimSpace(a.imp.Note); n != "" {
				v["notes"] = n
			}
			attr[a.name] = v
		}
	}
	if len(attr) > 0 {
		doc["attribute"] = attr
	}
	return json.Marshal(doc)
}

func securityIncident(f Facts) string {
	switch {
	case f.Status == "not_an_incident" || f.Class == "event":
		return "False positive"
	case f.NearMiss || f.Class == "vulnerability":
		return "Near miss"
	case f.Class == "incident":
		return "Confirmed"
	}
	return "Suspected"
}

// interval is a VERIS duration in the largest unit that keeps it a whole number or close.
func interval(d time.Duration) map[string]any {
	if d < 0 {
		return map[string]any{"unit": "Unknown"}
	}
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"Days", 24 * time.Hour}, {"Hours", time.Hour}, {"Minutes", time.Minute}} {
		if d >= u.d {
			return map[string]any{"unit": u.unit, "value": math.Round(float64(d)/float64(u.d)*10) / 10}
		}
	}
	return map[string]any{"unit": "Seconds", "value": math.Round(d.Seconds())}
}

// verisAction is a VERIS action with the variety and vector that describe it.
type verisAction struct{ action, variety, vector string }

// icoActions and rsitActions map Vigil's classification back to VERIS actions: the ICO type
// first (it is the more specific), then the RSIT type, then the RSIT class. What none of
// them says is the VERIS action "unknown". docs/IMPORT.md lists the table.
var icoActions = map[string]verisAction{
	"data-emailed-to-incorrect-recipient":         {"error", "Misdelivery", "Carelessness"},
	"data-posted-or-faxed-to-incorrect-recipient": {"error", "Misdelivery", "Carelessness"},
	"failure-to-use-bcc":                          {"error", "Misdelivery", "Carelessness"},
	"failure-to-redact":                           {"error", "Publishing error", "Carelessness"},
	"loss-or-theft-of-device":                     {"error", "Loss", "Unknown"},
	"loss-or-theft-of-paperwork":                  {"error", "Loss", "Unknown"},
	"insecure-disposal-of-paperwork":              {"error", "Disposal error", "Carelessness"},
	"insecure-disposal-of-hardware":               {"error", "Disposal error", "Carelessness"},
	"unauthorised-access-non-cyber":               {"misuse", "Privilege abuse", "Unknown"},
	"alteration-of-personal-data":                 {"misuse", "Data mishandling", "Unknown"},
	"phishing":                                    {"social", "Phishing", "Email"},
	"ransomware":                                  {"malware", "Ransomware", "Unknown"},
	"malware":                                     {"malware", "Unknown", "Unknown"},
	"brute-force":                                 {"hacking", "Brute force", "Unknown"},
	"denial-of-service":                           {"hacking", "DoS", "Unknown"},
	"hardware-software-misconfiguration":          {"error", "Misconfiguration", "Unknown"},
	"unauthorised-access-cyber":                   {"hacking", "Unknown", "Unknown"},
}

var rsitActions = map[string]verisAction{
	"fraud:phishing":                                               {"social", "Phishing", "Email"},
	"fraud:masquerade":                                             {"social", "Pretexting", "Unknown"},
	"fraud:unauthorised-use-of-resources":                          {"misuse", "Net misuse", "Unknown"},
	"abusive-content:spam":                                         {"social", "Spam", "Email"},
	"availability:dos":                                             {"hacking", "DoS", "Unknown"},
	"availability:ddos":                                            {"hacking", "DoS", "Unknown"},
	"availability:outage":                                          {"error", "Malfunction", "Unknown"},
	"intrusion-attempts:brute-force":                               {"hacking", "Brute force", "Unknown"},
	"intrusions:application-compromise":                            {"hacking", "Exploit vuln", "Web application"},
	"intrusions:unprivileged-account-compromise":                   {"hacking", "Use of stolen creds", "Unknown"},
	"intrusions:privileged-account-compromise":                     {"hacking", "Use of stolen creds", "Unknown"},
	"information-content-security:data-loss":                       {"error", "Loss", "Unknown"},
	"information-content-security:unauthorised-information-access": {"misuse", "Privilege abuse", "Unknown"},
	"malicious-code":                                               {"malware", "Unknown", "Unknown"},
	"intrusions":                                                   {"hacking", "Unknown", "Unknown"},
	"intrusion-attempts":                                           {"hacking", "Unknown", "Unknown"},
	"information-gathering":                                        {"social", "Unknown", "Unknown"},
}

func action(f Facts) map[string]any {
	a, ok := icoActions[f.ICOType]
	if !ok {
		a, ok = rsitActions[f.RSITClass+":"+f.RSITType]
	}
	if !ok {
		a, ok = rsitActions[f.RSITClass]
	}
	if !ok {
		return map[string]any{"unknown": map[string]any{"notes": "Vigil records no VERIS action for this incident."}}
	}
	body := map[string]any{"variety": []string{a.variety}, "vector": []string{a.vector}}
	if a.action == "social" {
		body["target"] = []string{"Unknown"}
	}
	return map[string]any{a.action: body}
}

// Conform returns an imported VERIS original made valid against the VERIS schema without
// losing anything: VERIS 1.3 records lack fields the schema now requires (the victim's
// government level, the asset's cloud, a summary), which get their "unknown" values, and
// keep extensions under plus.attribute.confidentiality that the schema no longer allows
// there, which move up to plus, where anything may go. f fills what the original lacks.
func Conform(doc []byte, f Facts) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // numbers stay exactly as written
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("reading the VERIS original: %w", err)
	}
	fill := func(obj map[string]any, key string, v any) {
		if _, ok := obj[key]; !ok {
			obj[key] = v
		}
	}
	if s, _ := m["summary"].(string); strings.TrimSpace(s) == "" {
		m["summary"] = strings.TrimSpace(f.Title + "\n\n" + f.Nature)
	}
	fill(m, "schema_version", SchemaVersion)
	fill(m, "security_incident", "Unknown")
	fill(m, "discovery_method", map[string]any{"unknown": true})
	fill(m, "action", map[string]any{"unknown": map[string]any{}})
	fill(m, "actor", map[string]any{"unknown": map[string]any{"notes": "Not given in the original."}})
	fill(m, "asset", map[string]any{})
	fill(m, "timeline", map[string]any{})
	if t, ok := m["timeline"].(map[string]any); ok {
		fill(t, "incident", map[string]any{})
		if in, ok := t["incident"].(map[string]any); ok && in["year"] == nil {
			in["year"] = f.ReportedAt.Year()
			if _, ok := m["notes"]; !ok {
				m["notes"] = "timeline.incident.year is the year the incident was recorded in Vigil: the original did not say when it occurred."
			}
		}
	}
	if a, ok := m["asset"].(map[string]any); ok {
		fill(a, "assets", []any{map[string]any{"variety": "Unknown"}})
		fill(a, "cloud", []any{"Unknown"})
	}
	if v, ok := m["victim"].(map[string]any); ok {
		gov := "NA" // VERIS: "the level of government if industry starts with 92, otherwise NA"
		if ind, _ := v["industry"].(string); strings.HasPrefix(ind, "92") {
			gov = "Unknown"
		}
		fill(v, "government", []any{gov})
		fill(v, "country", []any{"Unknown"})
		fill(v, "employee_count", "Unknown")
		fill(v, "industry", "000")
	}
	if p, ok := m["plus"].(map[string]any); ok {
		if a, ok := p["attribute"].(map[string]any); ok {
			if c, ok := a["confidentiality"].(map[string]any); ok {
				for k, v := range c {
					if k == "data_abuse" {
						continue
					}
					name := k
					if _, taken := p[name]; taken {
						name = "attribute_confidentiality_" + k
					}
					p[name] = v
					delete(c, k)
				}
			}
		}
	}
	return json.Marshal(m)
}
