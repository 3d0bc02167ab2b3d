package api_test

import (
	"testing"
)

func TestClassification(t *testing.T) {
	eachEngine(t, envOptions{publicReports: true}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", map[string]any{"title": "Laptop stolen", "nature": "My laptop with the customer spreadsheet was stolen from my car; ring jo@example.com",
			"personal_data": "unknown"})
		patch := func(version string, body any) req {
			return req{method: "PATCH", path: "/api/v1/incidents/{a}", as: "handler", header: map[string]string{"If-Match": version}, body: body}
		}
		with := func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		before := e.snapshot(t)
		e.run(t, []apiCase{
			{name: "defaults and suggestion", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"}, status: 200,
				fields: map[string]any{"tlp": "amber", "pap": "amber", "severity": nil, "rsit_class": "", "ico_type": "",
					"impact.confidentiality.affected": false, "impact.availability.note": "",
					"suggestion.rsit.class": "information-content-security", "suggestion.ico_type": "loss-or-theft-of-device",
					"suggestion.personal_data_likely": true, "personal_data": "unknown"}},
			// Refused, naming the field.
			{name: "unknown RSIT class", req: patch(`"1"`, with("rsit_class", "mischief", "rsit_type", "phishing")), status: 422, problem: []string{"rsit_class"}, exact: true},
			{name: "RSIT type of another class", req: patch(`"1"`, with("rsit_class", "fraud", "rsit_type", "data-leak")), status: 422, problem: []string{"rsit_type"}, exact: true},
			{name: "unknown ICO type", req: patch(`"1"`, with("ico_type", "lost-in-the-post")), status: 422, problem: []string{"ico_type"}, exact: true},
			{name: "not a TLP marking", req: patch(`"1"`, with("tlp", "purple")), status: 422, problem: []string{"tlp"}, exact: true},
			{name: "PAP is text", req: patch(`"1"`, with("pap", 3)), status: 400, problem: []string{"pap"}, exact: true},
			{name: "unknown scheme", req: patch(`"1"`, with("severity", with("scheme", "nist", "category", "1"))), status: 422, problem: []string{"severity.scheme"}, exact: true},
			{name: "unknown category", req: patch(`"1"`, with("severity", with("scheme", "ncsc-uk", "category", "7"))), status: 422, problem: []string{"severity.category"}, exact: true},
			{name: "wrong rank", req: patch(`"1"`, with("severity", with("scheme", "ncsc-uk", "category", "3", "rank", 1))), status: 422, problem: []string{"severity.rank"}, exact: true},
			{name: "severity without category", req: patch(`"1"`, with("severity", with("scheme", "ncsc-uk"))), status: 400, problem: []string{"severity.category"}, exact: true},
			{name: "severity is text", req: patch(`"1"`, with("severity", "high")), status: 400, problem: []string{"severity"}, exact: true},
			{name: "unknown severity field", req: patch(`"1"`, with("severity", with("scheme", "ncsc-uk", "category", "3", "level", 2))), status: 400, problem: []string{"severity.level"}, exact: true},
			{name: "unknown impact", req: patch(`"1"`, with("impact", with("authenticity", with("affected", true)))), status: 400, problem: []string{"impact.authenticity"}, exact: true},
			{name: "impact without affected", req: patch(`"1"`, with("impact", with("integrity", with("note", "x")))), status: 400, problem: []string{"impact.integrity.affected"}, exact: true},
			{name: "impact affected is text", req: patch(`"1"`, with("impact", with("integrity", with("affected", "yes")))), status: 400, problem: []string{"impact.integrity.affected"}, exact: true},
			{name: "impact note too long", req: patch(`"1"`, with("impact", with("integrity", with("affected", true, "note", longText(501))))), status: 422, problem: []string{"impact.integrity.note"}, exact: true},
			{name: "suggestion is read-only", req: patch(`"1"`, with("suggestion", nil)), status: 400, problem: []string{"suggestion"}, exact: true},
			{name: "reports leave classification to the team", req: req{method: "POST", path: "/api/v1/reports",
				body: with("nature", "My phone was stolen", "tlp", "red", "rsit_class", "fraud", "rsit_type", "phishing")}, status: 422, problem: []string{"rsit_class", "rsit_type", "tlp"}, exact: true},
		})
		if after := e.snapshot(t); after != before {
			t.Fatalf("refused changes changed the register:\nbefore %s\nafter  %s", before, after)
		}
		e.run(t, []apiCase{
			{name: "classify", req: patch(`"1"`, with("rsit_class", "information-content-security", "rsit_type", "data-loss",
				"ico_type", "loss-or-theft-of-device", "tlp", "AMBER+STRICT", "pap", "red",
				"severity", with("scheme", "ncsc-uk", "category", "5"),
				"impact", with("confidentiality", with("affected", true, "note", "customer list on the disk"), "availability", with("affected", true)),
				"reason", "laptop theft confirmed")), status: 200,
				fields: map[string]any{"rsit_class": "information-content-security", "rsit_type": "data-loss", "ico_type": "loss-or-theft-of-device",
					"tlp": "amber+strict", "pap": "red", "severity.scheme": "ncsc-uk", "severity.category": "5", "severity.rank": 5,
					"impact.confidentiality.affected": true, "impact.confidentiality.note": "customer list on the disk",
					"impact.availability.affected": true, "impact.integrity.affected": false, "version": 2}},
			{name: "one impact changes alone", req: patch(`"2"`, with("impact", with("integrity", with("affected", true, "note", "records edited")))), status: 200,
				fields: map[string]any{"impact.integrity.note": "records edited", "impact.confidentiality.affected": true, "version": 3}},
			{name: "rank matching the category is accepted", req: patch(`"3"`, with("severity", with("scheme", "je-example", "category", "4", "rank", 4))), status: 200,
				fields: map[string]any{"severity.scheme": "je-example", "severity.rank": 4, "version": 4}},
			{name: "null removes the grade", req: patch(`"4"`, with("severity", nil, "reason", "graded too early")), status: 200,
				fields: map[string]any{"severity": nil, "version": 5}},
			{name: "read after", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "auditor"}, status: 200,
				fields: map[string]any{"tlp": "amber+strict", "rsit_type": "data-loss", "severity": nil, "suggestion.ico_type": "loss-or-theft-of-device"}},
			{name: "schemes", req: req{method: "GET", path: "/api/v1/severity-schemes", as: "auditor"}, status: 200,
				fields: map[string]any{"items.0.id": "je-example", "items.0.example": true, "items.0.notify_csirt_at_or_above": 4,
					"items.1.id": "ncsc-uk", "items.1.questions.0.id": "who", "items.1.categories.0.rank": 1}},
			{name: "schemes need a token", req: req{method: "GET", path: "/api/v1/severity-schemes"}, status: 401},
		})
		// Who, when and why: the record of events holds the change and its reason.
		events := e.events(t, "a")
		last := events[len(events)-1]["data"].(map[string]any)
		if last["reason"] != "graded too early" {
			t.Errorf("reason not recorded: %v", last)
		}
		first := events[1]["data"].(map[string]any)
		if first["reason"] != "laptop theft confirmed" || len(first["changes"].([]any)) != 7 {
			t.Errorf("classification entry: %v", first)
		}
		// Sorted by priority, a graded incident comes before an ungraded one of its class.
		e.create(t, "b", "handler", map[string]any{"title": "Older", "nature": "n", "class": "incident"})
		e.create(t, "c", "handler", map[string]any{"title": "Newer but graded", "nature": "n", "class": "incident",
			"severity": map[string]any{"scheme": "ncsc-uk", "category": "6"}})
		got := refsOf(e.list(t, "approver", "sort=priority&limit=1"))
		if len(got) < 2 || got[0] != e.refs["c"] || got[1] != e.refs["b"] {
			t.Errorf("priority order %v, want %s before %s", got, e.refs["c"], e.refs["b"])
		}
	})
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}
