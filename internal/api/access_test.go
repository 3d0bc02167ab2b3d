package api_test

import (
	"slices"
	"sort"
	"testing"
)

// accessFixtures: open (unrestricted), secret (restricted, made by handler), owned (restricted,
// owned by the DPO), mine (a reporter's own), hidden (a reporter's, restricted afterwards).
func accessFixtures(t *testing.T, e *env) {
	t.Helper()
	e.create(t, "open", "handler", minimal("Open incident"))
	e.create(t, "secret", "handler", map[string]any{"title": "Insider", "nature": "Need to know", "restricted": true})
	e.create(t, "owned", "approver", map[string]any{"title": "Board member", "nature": "Need to know", "restricted": true, "owner": email("dpo")})
	e.create(t, "mine", "reporter", minimal("Reporter's own"))
	e.create(t, "hidden", "reporter", minimal("Reporter's, restricted later"))
	e.patch(t, "hidden", "approver", map[string]any{"restricted": true})
}

// visible says, per fixture, who may see it: named people, the owner and approvers see a
// restricted incident; everyone else gets 404 as if it did not exist.
var visible = map[string][]string{
	"open":   {"admin", "handler", "handler2", "dpo", "approver", "auditor"},
	"secret": {"handler", "approver"},
	"owned":  {"dpo", "approver"},
	"mine":   {"admin", "handler", "handler2", "dpo", "approver", "auditor", "reporter"},
	"hidden": {"approver"},
}

// TestNeedToKnow checks reads, lists, events and changes agree on who may see what.
func TestNeedToKnow(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		accessFixtures(t, e)
		for _, p := range people {
			t.Run(p.key, func(t *testing.T) {
				var want []string
				for name, who := range visible {
					status := 404
					if slices.Contains(who, p.key) {
						status = 200
						want = append(want, e.refs[name])
					}
					e.run(t, []apiCase{
						{name: "read " + name, req: req{method: "GET", path: "/api/v1/incidents/{" + name + "}", as: p.key}, status: status},
						{name: "events of " + name, req: req{method: "GET", path: "/api/v1/incidents/{" + name + "}/events", as: p.key}, status: status},
					})
				}
				got := refsOf(e.list(t, p.key, ""))
				sort.Strings(got)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s lists %v, may read %v", p.key, got, want)
				}
			})
		}
		e.run(t, []apiCase{
			{name: "unnamed handler cannot change", req: req{method: "PATCH", path: "/api/v1/incidents/{secret}", as: "handler2",
				header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 404},
			{name: "auditor cannot change what it cannot see", req: req{method: "PATCH", path: "/api/v1/incidents/{secret}", as: "auditor",
				header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 404},
			{name: "reporter cannot change own report", req: req{method: "PATCH", path: "/api/v1/incidents/{mine}", as: "reporter",
				header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 403},
			{name: "auditor cannot change", req: req{method: "PATCH", path: "/api/v1/incidents/{open}", as: "auditor",
				header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 403},
			{name: "owner can change", req: req{method: "PATCH", path: "/api/v1/incidents/{owned}", as: "dpo",
				header: map[string]string{"If-Match": `"1"`}, body: `{"title":"Board member (DPO)"}`}, status: 200, fields: map[string]any{"restricted": true}},
			{name: "unnamed cannot name others", req: req{method: "PUT", path: "/api/v1/incidents/{secret}/access/" + email("handler2"), as: "handler2"}, status: 404},
			{name: "auditor cannot name", req: req{method: "PUT", path: "/api/v1/incidents/{open}/access/" + email("auditor"), as: "auditor"}, status: 403},
			{name: "reporter cannot name", req: req{method: "PUT", path: "/api/v1/incidents/{mine}/access/" + email("reporter2"), as: "reporter"}, status: 403},
			{name: "naming nobody", req: req{method: "PUT", path: "/api/v1/incidents/{secret}/access/nobody@example.org", as: "handler"}, status: 422,
				problem: []string{"email"}, exact: true},
			{name: "naming", req: req{method: "PUT", path: "/api/v1/incidents/{secret}/access/" + email("handler2"), as: "handler"}, status: 204},
			{name: "named handler now reads", req: req{method: "GET", path: "/api/v1/incidents/{secret}", as: "handler2"}, status: 200},
			{name: "named handler now changes", req: req{method: "PATCH", path: "/api/v1/incidents/{secret}", as: "handler2",
				header: map[string]string{"If-Match": `"1"`}, body: `{"people":"One member of staff"}`}, status: 200},
			{name: "new owner of a restricted incident may see it", req: req{method: "PATCH", path: "/api/v1/incidents/{secret}", as: "handler2",
				header: map[string]string{"If-Match": `"2"`}, body: map[string]any{"owner": email("dpo")}}, status: 200},
			{name: "the DPO, now owner, reads", req: req{method: "GET", path: "/api/v1/incidents/{secret}", as: "dpo"}, status: 200},
			{name: "the auditor still does not", req: req{method: "GET", path: "/api/v1/incidents/{secret}", as: "auditor"}, status: 404},
		})
		granted := false
		for _, ev := range e.events(t, "secret") {
			if ev["action"] == "incident.access_granted" && ev["actor"] == email("handler") {
				data, _ := ev["data"].(map[string]any)
				granted = data["user"] == email("handler2")
			}
		}
		if !granted {
			t.Error("naming handler2 is not in the record of events")
		}
	})
}

// TestViewedEvents checks that reading a restricted incident, or its events, appends an
// incident.viewed entry naming who looked; unrestricted reads and refused reads do not.
func TestViewedEvents(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		accessFixtures(t, e)
		viewed := func(name string) [][2]any {
			var out [][2]any
			for _, ev := range e.events(t, name) { // as the approver, which is itself a view
				if ev["action"] == "incident.viewed" {
					data, _ := ev["data"].(map[string]any)
					out = append(out, [2]any{ev["actor"], data["view"]})
				}
			}
			return out
		}
		start := viewed("secret")
		if n := len(start); n == 0 || start[n-1] != [2]any{email("approver"), "events"} {
			t.Fatalf("reading the events of a restricted incident was not recorded: %v", start)
		}
		e.do(t, req{method: "GET", path: "/api/v1/incidents/{secret}", as: "handler"})
		e.do(t, req{method: "GET", path: "/api/v1/incidents/{secret}", as: "handler2"}) // refused: 404
		e.do(t, req{method: "GET", path: "/api/v1/incidents/{secret}/events", as: "handler"})
		e.do(t, req{method: "GET", path: "/api/v1/incidents?limit=200", as: "handler"})
		got := viewed("secret")[len(start):]
		want := [][2]any{{email("handler"), "incident"}, {email("handler"), "events"}, {email("approver"), "events"}}
		if !slices.Equal(got, want) {
			t.Errorf("new views = %v, want %v", got, want)
		}

		e.do(t, req{method: "GET", path: "/api/v1/incidents/{open}", as: "handler"})
		if v := viewed("open"); len(v) != 0 {
			t.Errorf("reading an unrestricted incident was recorded: %v", v)
		}
	})
}

// TestLinksAndMerge covers the link and merge operations enough to check their responses
// against the document and their effect on the record.
func TestLinksAndMerge(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		accessFixtures(t, e)
		e.create(t, "dup", "handler", minimal("Duplicate of open"))
		e.run(t, []apiCase{
			{name: "link", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler", body: `{"ref":"{mine}","kind":"caused_by"}`}, status: 200,
				fields: map[string]any{"links.0.ref": "{mine}", "links.0.kind": "caused_by"}},
			{name: "the other side", req: req{method: "GET", path: "/api/v1/incidents/{mine}", as: "handler"}, status: 200,
				fields: map[string]any{"links.0.ref": "{open}"}},
			{name: "link to itself", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler", body: `{"ref":"{open}"}`}, status: 422, problem: []string{"ref"}},
			{name: "link to what you may not see", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler2", body: `{"ref":"{secret}"}`}, status: 422, problem: []string{"ref"}},
			{name: "bad kind", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler", body: `{"ref":"{dup}","kind":"Caused By"}`}, status: 422, problem: []string{"kind"}},
			{name: "unknown field", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler", body: `{"ref":"{dup}","knd":"x"}`}, status: 400, problem: []string{"knd"}},
			{name: "wrong type", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "handler", body: `{"ref":5}`}, status: 400, problem: []string{"ref"}},
			{name: "auditor may not link", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", as: "auditor", body: `{"ref":"{dup}"}`}, status: 403},
			{name: "merge without If-Match", req: req{method: "POST", path: "/api/v1/incidents/{dup}/merge", as: "handler", body: `{"into":"{open}"}`}, status: 428},
			{name: "merge stale", req: req{method: "POST", path: "/api/v1/incidents/{dup}/merge", as: "handler", header: map[string]string{"If-Match": `"9"`}, body: `{"into":"{open}"}`}, status: 412},
			{name: "merge into the invisible", req: req{method: "POST", path: "/api/v1/incidents/{dup}/merge", as: "handler2", header: map[string]string{"If-Match": `"1"`}, body: `{"into":"{secret}"}`}, status: 422, problem: []string{"into"}},
			{name: "merge", req: req{method: "POST", path: "/api/v1/incidents/{dup}/merge", as: "handler", header: map[string]string{"If-Match": `"1"`}, body: `{"into":"{open}"}`}, status: 200,
				fields: map[string]any{"status": "merged", "merged_into": "{open}", "version": 2}},
			{name: "link without a token", req: req{method: "POST", path: "/api/v1/incidents/{open}/links", body: `{"ref":"{dup}"}`}, status: 401},
			{name: "link from nowhere", req: req{method: "POST", path: "/api/v1/incidents/INC-2026-99999/links", as: "handler", body: `{"ref":"{open}"}`}, status: 404},
			{name: "merge without a token", req: req{method: "POST", path: "/api/v1/incidents/{mine}/merge", header: map[string]string{"If-Match": `"1"`}, body: `{"into":"{open}"}`}, status: 401},
			{name: "auditor may not merge", req: req{method: "POST", path: "/api/v1/incidents/{mine}/merge", as: "auditor", header: map[string]string{"If-Match": `"1"`}, body: `{"into":"{open}"}`}, status: 403},
			{name: "merge nothing", req: req{method: "POST", path: "/api/v1/incidents/INC-2026-99999/merge", as: "handler", header: map[string]string{"If-Match": `"1"`}, body: `{"into":"{open}"}`}, status: 404},
			{name: "merge body of the wrong shape", req: req{method: "POST", path: "/api/v1/incidents/{mine}/merge", as: "handler", header: map[string]string{"If-Match": `"1"`}, body: `{"into":["{open}"]}`}, status: 400, problem: []string{"into"}},
			{name: "a merged incident stays merged", req: req{method: "PATCH", path: "/api/v1/incidents/{dup}", as: "handler", header: map[string]string{"If-Match": `"2"`}, body: `{"status":"triage"}`}, status: 422, problem: []string{"status"}},
		})
	})
}
