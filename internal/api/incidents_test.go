package api_test

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var refPattern = regexp.MustCompile(`^INC-2026-\d{5}$`)

// fullIncident sets every writable field; instants carry an offset to check they come back in UTC.
func fullIncident() map[string]any {
	return map[string]any{
		"title":              "Phishing wave against finance",
		"nature":             "Staff in finance received credential phishing e-mails; two clicked.",
		"systems":            "Exchange Online, finance SharePoint",
		"people":             "Finance team (12 staff)",
		"discovery":          "Reported by a member of staff",
		"reporter":           map[string]any{"name": "Ann Example", "contact": "ann@example.org", "relationship": "contractor"},
		"channel":            "phone",
		"occurred_at":        "2026-02-20T09:30:00+01:00",
		"occurred_precision": "hour",
		"discovered_at":      "2026-02-21T10:00:00Z",
		"aware_at":           "2026-02-21T11:15:30.5Z",
		"reported_at":        "2026-02-22T08:00:00Z",
		"class":              "incident",
		"near_miss":          true,
		"personal_data":      "yes",
		"owner":              email("dpo"),
		"restricted":         false,
		"exercise":           true,
		"tags":               []string{"Phishing", " email ", "phishing"},
	}
}

// badBodies are requests no incident endpoint may accept; each must be refused naming the
// field, whether creating or changing an incident.
func badBodies() []apiCase {
	with := func(kv ...any) map[string]any {
		m := minimal("bad")
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tags := make([]string, 51)
	for i := range tags {
		tags[i] = "t" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	huge := `{"title":"big","nature":"` + strings.Repeat("a", 1<<20) + `"}`
	return []apiCase{
		// Malformed JSON.
		{name: "syntax error", req: req{body: `{"title": "x",`}, status: 400, problem: []string{"body"}, exact: true},
		{name: "not JSON", req: req{body: `title=x`}, status: 400, problem: []string{"body"}},
		{name: "empty body", req: req{body: ``}, status: 400, problem: []string{"body"}},
		{name: "array", req: req{body: `[{"title":"x"}]`}, status: 400, problem: []string{"body"}},
		{name: "string", req: req{body: `"title"`}, status: 400, problem: []string{"body"}},
		{name: "null", req: req{body: `null`}, status: 400, problem: []string{"body"}},
		{name: "trailing object", req: req{body: `{"title":"a","nature":"b"} {"title":"c"}`}, status: 400, problem: []string{"body"}},
		{name: "trailing garbage", req: req{body: `{"title":"a","nature":"b"}x`}, status: 400, problem: []string{"body"}},
		{name: "trailing bracket", req: req{body: `{"title":"a","nature":"b"}]`}, status: 400, problem: []string{"body"}},
		{name: "trailing brace", req: req{body: `{"title":"a","nature":"b"}}`}, status: 400, problem: []string{"body"}},
		{name: "invalid UTF-8", req: req{body: []byte("{\"title\":\"caf\xe9\",\"nature\":\"x\"}")}, status: 400, problem: []string{"body"}},
		{name: "oversized body", req: req{body: huge}, status: 413, problem: []string{"body"}},
		{name: "not JSON content type", req: req{body: `{"title":"a","nature":"b"}`, header: map[string]string{"Content-Type": "text/plain"}}, status: 415},
		// Wrong types, each named.
		{name: "title is a number", req: req{body: with("title", 5)}, status: 400, problem: []string{"title"}, exact: true},
		{name: "nature is a bool", req: req{body: with("nature", true)}, status: 400, problem: []string{"nature"}, exact: true},
		{name: "near_miss is text", req: req{body: with("near_miss", "yes")}, status: 400, problem: []string{"near_miss"}, exact: true},
		{name: "restricted is null", req: req{body: with("restricted", nil)}, status: 400, problem: []string{"restricted"}, exact: true},
		{name: "tags is text", req: req{body: with("tags", "a,b")}, status: 400, problem: []string{"tags"}, exact: true},
		{name: "tags hold numbers", req: req{body: with("tags", []int{1, 2})}, status: 400, problem: []string{"tags"}, exact: true},
		{name: "reporter is text", req: req{body: with("reporter", "Ann")}, status: 400, problem: []string{"reporter"}, exact: true},
		{name: "reporter name is a number", req: req{body: with("reporter", map[string]any{"name": 5})}, status: 400, problem: []string{"reporter.name"}, exact: true},
		{name: "reporter name is an object", req: req{body: with("reporter", map[string]any{"name": map[string]any{"first": "Ann"}})}, status: 400, problem: []string{"reporter.name"}, exact: true},
		{name: "occurred_at is a number", req: req{body: with("occurred_at", 1771579800)}, status: 400, problem: []string{"occurred_at"}, exact: true},
		{name: "class is a number", req: req{body: with("class", 3)}, status: 400, problem: []string{"class"}, exact: true},
		{name: "personal_data is a bool", req: req{body: with("personal_data", true)}, status: 400, problem: []string{"personal_data"}, exact: true},
		{name: "personal_data is null", req: req{body: with("personal_data", nil)}, status: 400, problem: []string{"personal_data"}, exact: true},
		{name: "reported_at is null", req: req{body: with("reported_at", nil)}, status: 400, problem: []string{"reported_at"}, exact: true},
		{name: "several wrong types at once", req: req{body: with("title", 5, "near_miss", "no", "tags", "x")}, status: 400, problem: []string{"near_miss", "tags", "title"}, exact: true},
		// Unknown and read-only fields.
		{name: "unknown field", req: req{body: with("titel", "typo")}, status: 400, problem: []string{"titel"}, exact: true},
		{name: "field names are case-sensitive", req: req{body: with("Title", "x")}, status: 400, problem: []string{"Title"}, exact: true},
		{name: "unknown reporter field", req: req{body: with("reporter", map[string]any{"phone": "123"})}, status: 400, problem: []string{"reporter.phone"}, exact: true},
		{name: "read-only fields", req: req{body: with("ref", "INC-2026-99999", "version", 9, "created_at", "2026-01-01T00:00:00Z", "links", []string{}, "merged_into", "X")},
			status: 400, problem: []string{"created_at", "links", "merged_into", "ref", "version"}, exact: true},
		// Unparseable instants.
		{name: "no such day", req: req{body: with("occurred_at", "2026-02-30T10:00:00Z")}, status: 400, problem: []string{"occurred_at"}, exact: true},
		{name: "date without time", req: req{body: with("occurred_at", "2026-02-20")}, status: 400, problem: []string{"occurred_at"}, exact: true},
		{name: "time without zone", req: req{body: with("discovered_at", "2026-02-20T10:00:00")}, status: 400, problem: []string{"discovered_at"}, exact: true},
		{name: "words for a date", req: req{body: with("aware_at", "yesterday")}, status: 400, problem: []string{"aware_at"}, exact: true},
		// Well-formed but wrong: validation names the field.
		{name: "title too long", req: req{body: with("title", strings.Repeat("x", 201))}, status: 422, problem: []string{"title"}, exact: true},
		{name: "NUL in nature", req: req{body: with("nature", "a\x00b")}, status: 422, problem: []string{"nature"}, exact: true},
		{name: "blank title and nature", req: req{body: with("title", "  ", "nature", "")}, status: 422, problem: []string{"nature", "title"}, exact: true},
		{name: "unknown class", req: req{body: with("class", "major")}, status: 422, problem: []string{"class"}, exact: true},
		{name: "unknown personal_data", req: req{body: with("personal_data", "maybe")}, status: 422, problem: []string{"personal_data"}, exact: true},
		{name: "unknown channel", req: req{body: with("channel", "fax")}, status: 422, problem: []string{"channel"}, exact: true},
		{name: "unknown precision", req: req{body: with("occurred_precision", "minute")}, status: 422, problem: []string{"occurred_precision"}, exact: true},
		{name: "unknown relationship", req: req{body: with("reporter", map[string]any{"relationship": "friend"})}, status: 422, problem: []string{"reporter.relationship"}, exact: true},
		{name: "reporter name too long", req: req{body: with("reporter", map[string]any{"name": strings.Repeat("n", 201)})}, status: 422, problem: []string{"reporter.name"}, exact: true},
		{name: "too many tags", req: req{body: with("tags", tags)}, status: 422, problem: []string{"tags"}, exact: true},
		{name: "tag too long", req: req{body: with("tags", []string{strings.Repeat("t", 65)})}, status: 422, problem: []string{"tags"}, exact: true},
		{name: "owner unknown", req: req{body: with("owner", "nobody@example.org")}, status: 422, problem: []string{"owner"}, exact: true},
		{name: "owner cannot handle incidents", req: req{body: with("owner", email("auditor"))}, status: 422, problem: []string{"owner"}, exact: true},
		{name: "year 0001", req: req{body: with("occurred_at", "0001-01-01T00:00:00Z")}, status: 422, problem: []string{"occurred_at"}},
		{name: "before 1970", req: req{body: with("discovered_at", "1969-12-31T23:59:59Z")}, status: 422, problem: []string{"discovered_at"}},
		{name: "far future", req: req{body: with("discovered_at", "2099-01-01T00:00:00Z")}, status: 422, problem: []string{"discovered_at"}},
		{name: "occurred after discovered", req: req{body: with("occurred_at", "2026-02-21T10:00:00Z", "discovered_at", "2026-02-20T10:00:00Z")}, status: 422, problem: []string{"discovered_at"}},
		{name: "aware before discovered", req: req{body: with("discovered_at", "2026-02-21T10:00:00Z", "aware_at", "2026-02-20T10:00:00Z")}, status: 422, problem: []string{"aware_at"}},
		{name: "reported before discovered", req: req{body: with("discovered_at", "2026-02-21T10:00:00Z", "reported_at", "2026-02-20T10:00:00Z")}, status: 422, problem: []string{"reported_at"}},
		{name: "reported in 1900", req: req{body: with("reported_at", "1900-01-01T00:00:00Z")}, status: 422, problem: []string{"reported_at"}},
		{name: "merged is not a status to set", req: req{body: with("status", "merged")}, status: 422, problem: []string{"status"}, exact: true},
	}
}

func TestCreateIncident(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		post := func(as string, body any) req {
			return req{method: "POST", path: "/api/v1/incidents", as: as, body: body}
		}
		e.run(t, []apiCase{
			{name: "minimal", req: post("handler", minimal("Lost badge")), status: 201,
				fields: map[string]any{"title": "Lost badge", "nature": "Something happened: Lost badge", "status": "new", "version": 1,
					"channel": "api", "class": "unknown", "personal_data": "unknown", "occurred_precision": "unknown", "occurred_at": nil,
					"reporter.name": email("handler"), "reporter.contact": email("handler"), "reporter.relationship": "staff",
					"owner": "", "restricted": false, "exercise": false, "near_miss": false, "tags": []string{}},
				headers: map[string]string{"ETag": `"1"`, "Content-Type": "application/json"},
				after: func(t *testing.T, e *env, r *response) {
					ref := r.str("ref")
					if !refPattern.MatchString(ref) {
						t.Errorf("ref %q does not look like INC-2026-00001", ref)
					}
					if got := r.header.Get("Location"); got != "/api/v1/incidents/"+ref {
						t.Errorf("Location = %q", got)
					}
					if r.str("reported_at") != r.str("created_at") || !strings.HasPrefix(r.str("reported_at"), "2026-03-02T09:") {
						t.Errorf("reported_at %q, created_at %q: want the injected clock's now", r.str("reported_at"), r.str("created_at"))
					}
					got := e.do(t, req{method: "GET", path: "/api/v1/incidents/" + ref, as: "handler"})
					if got.status != 200 || got.str("title") != "Lost badge" {
						t.Errorf("reading it back: %d %s", got.status, got.body)
					}
				}},
			{name: "every field", req: post("handler", fullIncident()), status: 201,
				fields: map[string]any{"title": "Phishing wave against finance", "systems": "Exchange Online, finance SharePoint",
					"people": "Finance team (12 staff)", "discovery": "Reported by a member of staff",
					"reporter.name": "Ann Example", "reporter.contact": "ann@example.org", "reporter.relationship": "contractor",
					"channel": "phone", "occurred_at": "2026-02-20T08:30:00Z", "occurred_precision": "hour",
					"discovered_at": "2026-02-21T10:00:00Z", "aware_at": "2026-02-21T11:15:30.5Z", "reported_at": "2026-02-22T08:00:00Z",
					"class": "incident", "near_miss": true, "personal_data": "yes", "owner": email("dpo"), "exercise": true,
					"tags": []string{"phishing", "email"}, "status": "new", "contained_at": nil}},
			{name: "text is trimmed", req: post("handler", map[string]any{"title": "  Spaced  ", "nature": "\n nature \t"}), status: 201,
				fields: map[string]any{"title": "Spaced", "nature": "nature"}},
			{name: "unicode text", req: post("handler", map[string]any{"title": "Fuite de données – Zürich 🔒", "nature": "日本語のテキスト"}), status: 201,
				fields: map[string]any{"title": "Fuite de données – Zürich 🔒", "nature": "日本語のテキスト"}},
			{name: "restricted", req: post("handler", map[string]any{"title": "Insider", "nature": "Suspected insider", "restricted": true}), status: 201,
				fields: map[string]any{"restricted": true}},
			{name: "nulls clear optional instants", req: post("handler", map[string]any{"title": "x", "nature": "y", "occurred_at": nil, "reporter": nil, "tags": nil}), status: 201,
				fields: map[string]any{"occurred_at": nil, "tags": []string{}, "reporter.relationship": "staff"}},
			{name: "charset parameter", req: req{method: "POST", path: "/api/v1/incidents", as: "handler", body: minimal("c"),
				header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}, status: 201},
			{name: "+json media type", req: req{method: "POST", path: "/api/v1/incidents", as: "handler", body: minimal("m"),
				header: map[string]string{"Content-Type": "application/merge-patch+json"}}, status: 201},
			{name: "reporter", req: post("reporter", minimal("Odd e-mail")), status: 201, fields: map[string]any{"reporter.name": email("reporter")}},
			{name: "dpo", req: post("dpo", minimal("DPO's own")), status: 201},
			{name: "approver", req: post("approver", minimal("Approver's own")), status: 201},
			{name: "admin", req: post("admin", minimal("Admin's own")), status: 201},
			{name: "auditor may not", req: post("auditor", minimal("Auditor's")), status: 403},
			{name: "no token", req: post("", minimal("anon")), status: 401, headers: map[string]string{"WWW-Authenticate": `Bearer realm="vigil"`}},
			{name: "status on create", req: post("handler", map[string]any{"title": "x", "nature": "y", "status": "triage"}), status: 422, problem: []string{"status"}, exact: true},
		})

		before := e.snapshot(t)
		t.Run("refused", func(t *testing.T) {
			for _, c := range badBodies() {
				c.method, c.path, c.as = "POST", "/api/v1/incidents", "handler"
				e.run(t, []apiCase{c})
			}
		})
		if after := e.snapshot(t); after != before {
			t.Errorf("refused requests changed the register:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestAuthentication(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", minimal("a"))
		revoked := e.tokens["handler2"]
		if err := e.svc.RevokeToken(t.Context(), e.svc.System(), email("handler2"), "tests"); err != nil {
			t.Fatal(err)
		}
		get := func(hdr string) req {
			return req{method: "GET", path: "/api/v1/incidents", header: map[string]string{"Authorization": hdr}}
		}
		unauthorised := map[string]string{"WWW-Authenticate": `Bearer realm="vigil"`}
		e.run(t, []apiCase{
			{name: "valid token", req: req{method: "GET", path: "/api/v1/incidents", as: "handler"}, status: 200},
			{name: "scheme is case-insensitive", req: get("bearer " + e.tokens["handler"]), status: 200},
			{name: "no header", req: get(""), status: 401, headers: unauthorised},
			{name: "basic auth", req: get("Basic aGFuZGxlcjpwdw=="), status: 401, headers: unauthorised},
			{name: "bearer without token", req: get("Bearer"), status: 401},
			{name: "unknown token", req: get("Bearer vgl_notatokenthisserverissued"), status: 401},
			{name: "token of another kind", req: get("Bearer vgs_" + strings.TrimPrefix(e.tokens["handler"], "vgl_")), status: 401},
			{name: "revoked token", req: get("Bearer " + revoked), status: 401},
			{name: "every incident endpoint needs a token", req: req{method: "GET", path: "/api/v1/incidents/{a}"}, status: 401},
			{name: "events need a token", req: req{method: "GET", path: "/api/v1/incidents/{a}/events"}, status: 401},
			{name: "changes need a token", req: req{method: "PATCH", path: "/api/v1/incidents/{a}", header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 401},
			{name: "naming needs a token", req: req{method: "PUT", path: "/api/v1/incidents/{a}/access/" + email("handler2")}, status: 401},
		})
	})
}

func TestGetIncident(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", fullIncident())
		e.run(t, []apiCase{
			{name: "by ref", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"}, status: 200,
				fields:  map[string]any{"ref": "{a}", "title": "Phishing wave against finance", "owner": email("dpo"), "version": 1},
				headers: map[string]string{"ETag": `"1"`}},
			{name: "lower-case ref", req: req{method: "GET", path: "/api/v1/incidents/" + strings.ToLower(e.refs["a"]), as: "dpo"}, status: 200,
				fields: map[string]any{"ref": "{a}"}},
			{name: "auditor reads", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "auditor"}, status: 200},
			{name: "admin reads", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "admin"}, status: 200},
			{name: "no such incident", req: req{method: "GET", path: "/api/v1/incidents/INC-2026-99999", as: "handler"}, status: 404},
			{name: "nonsense ref", req: req{method: "GET", path: "/api/v1/incidents/%27%3B%20DROP%20TABLE%20incidents", as: "handler"}, status: 404},
			{name: "reporter may not see another's incident", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "reporter"}, status: 404},
			{name: "unknown endpoint", req: req{method: "GET", path: "/api/v1/incident", as: "handler"}, status: 404, contains: []string{"No such API endpoint"}},
			{name: "unsupported method", req: req{method: "DELETE", path: "/api/v1/incidents/{a}", as: "handler"}, status: 404},
			{name: "health", req: req{method: "GET", path: "/healthz"}, status: 200, contains: []string{"ok"}},
			{name: "ready", req: req{method: "GET", path: "/readyz"}, status: 200, contains: []string{"ready"}},
		})
	})
}

func TestUpdateIncident(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", map[string]any{"title": "Before", "nature": "n", "personal_data": "unknown", "occurred_at": "2026-02-20T10:00:00Z"})
		patch := func(as, ifMatch string, body any) req {
			h := map[string]string{}
			if ifMatch != "" {
				h["If-Match"] = ifMatch
			}
			return req{method: "PATCH", path: "/api/v1/incidents/{a}", as: as, header: h, body: body}
		}
		before := e.snapshot(t)
		e.run(t, []apiCase{
			{name: "no If-Match", req: patch("handler", "", `{"title":"x"}`), status: 428},
			{name: "If-Match not a version", req: patch("handler", `"abc"`, `{"title":"x"}`), status: 400, problem: []string{"If-Match"}, exact: true},
			{name: "If-Match *", req: patch("handler", `*`, `{"title":"x"}`), status: 400, problem: []string{"If-Match"}},
			{name: "stale version", req: patch("handler", `"7"`, `{"title":"x"}`), status: 412},
			{name: "auditors read but may not change", req: patch("auditor", `"1"`, `{"title":"x"}`), status: 403},
			{name: "admins may not change incidents", req: patch("admin", `"1"`, `{"title":"x"}`), status: 403},
			{name: "reporters may not see it", req: patch("reporter", `"1"`, `{"title":"x"}`), status: 404},
			{name: "no such incident", req: req{method: "PATCH", path: "/api/v1/incidents/INC-2026-99999", as: "handler", header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`}, status: 404},
			{name: "nothing to change", req: patch("handler", `"1"`, `{}`), status: 200, fields: map[string]any{"version": 1}},
		})
		t.Run("refused bodies", func(t *testing.T) {
			for _, c := range badBodies() {
				c.method, c.path, c.as = "PATCH", "/api/v1/incidents/{a}", "handler"
				c.header = map[string]string{"If-Match": `"1"`, "Content-Type": c.header["Content-Type"]}
				if c.name == "blank title and nature" || c.name == "status on create" {
					continue // covered below: a PATCH sends only what changes
				}
				e.run(t, []apiCase{c})
			}
		})
		e.run(t, []apiCase{
			{name: "blanking required text", req: patch("handler", `"1"`, `{"title":"", "nature":" "}`), status: 422, problem: []string{"nature", "title"}, exact: true},
			{name: "discovered before the stored occurrence", req: patch("handler", `"1"`, `{"discovered_at":"2026-02-19T10:00:00Z"}`), status: 422, problem: []string{"discovered_at"}},
		})
		if after := e.snapshot(t); after != before {
			t.Fatalf("refused changes changed the register:\nbefore %s\nafter  %s", before, after)
		}

		e.run(t, []apiCase{
			{name: "change", req: patch("handler", `"1"`, `{"title":"After","personal_data":"yes"}`), status: 200,
				fields: map[string]any{"title": "After", "personal_data": "yes", "nature": "n", "version": 2}, headers: map[string]string{"ETag": `"2"`}},
			{name: "the old version is now stale", req: patch("dpo", `"1"`, `{"title":"Lost update"}`), status: 412},
			{name: "weak ETag", req: patch("dpo", `W/"2"`, `{"discovered_at":"2026-02-21T10:00:00Z"}`), status: 200,
				fields: map[string]any{"discovered_at": "2026-02-21T10:00:00Z", "title": "After", "version": 3}},
			{name: "same values change nothing", req: patch("dpo", `"3"`, `{"title":"After","personal_data":"yes"}`), status: 200,
				fields: map[string]any{"version": 3}, headers: map[string]string{"ETag": `"3"`}},
			{name: "null clears an instant", req: patch("approver", `"3"`, `{"occurred_at":null}`), status: 200,
				fields: map[string]any{"occurred_at": nil, "version": 4}},
			{name: "owner", req: patch("handler", `"4"`, map[string]any{"owner": email("handler2")}), status: 200, fields: map[string]any{"owner": email("handler2")}},
			{name: "unassign", req: patch("handler", `"5"`, `{"owner":""}`), status: 200, fields: map[string]any{"owner": "", "version": 6}},
			{name: "lower-case ref", req: req{method: "PATCH", path: "/api/v1/incidents/" + strings.ToLower(e.refs["a"]), as: "handler",
				header: map[string]string{"If-Match": `"6"`}, body: `{"tags":["Phishing"]}`}, status: 200, fields: map[string]any{"tags": []string{"phishing"}, "version": 7}},
			{name: "read after", req: req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"}, status: 200,
				fields: map[string]any{"title": "After", "personal_data": "yes", "occurred_at": nil, "version": 7}, headers: map[string]string{"ETag": `"7"`}},
		})
	})
}

// TestEvents checks every change lands in the record of events, oldest first: the creation,
// then each update with the before and after of exactly the fields that changed.
func TestEvents(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", map[string]any{"title": "Before", "nature": "n", "class": "event"})
		e.patch(t, "a", "handler", map[string]any{"title": "After", "class": "incident", "nature": "n"})
		e.patch(t, "a", "dpo", map[string]any{"status": "triage"})
		// A refused change and a change to nothing add no events.
		e.do(t, req{method: "PATCH", path: "/api/v1/incidents/{a}", as: "dpo", header: map[string]string{"If-Match": `"1"`}, body: `{"title":"x"}`})
		e.patch(t, "a", "dpo", map[string]any{"status": "triage"})

		events := e.events(t, "a")
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev["action"].(string))
		}
		if want := []string{"incident.created", "incident.updated", "incident.updated"}; !equalStrings(actions, want) {
			t.Fatalf("actions = %v, want %v", actions, want)
		}
		created := events[0]
		if created["actor"] != email("handler") || created["ref"] != e.refs["a"] {
			t.Errorf("created entry: %v", created)
		}
		if data, _ := created["data"].(map[string]any); data["title"] != "Before" || data["ref"] != e.refs["a"] {
			t.Errorf("creation does not snapshot the incident: %v", created["data"])
		}
		changes := func(ev map[string]any) map[string][2]any {
			out := map[string][2]any{}
			list, _ := ev["data"].(map[string]any)["changes"].([]any)
			for _, c := range list {
				m := c.(map[string]any)
				out[m["field"].(string)] = [2]any{m["before"], m["after"]}
			}
			return out
		}
		if got, want := changes(events[1]), map[string][2]any{"title": {"Before", "After"}, "class": {"event", "incident"}}; !equalChanges(got, want) {
			t.Errorf("first update changes = %v, want %v", got, want)
		}
		if events[1]["actor"] != email("handler") || events[2]["actor"] != email("dpo") {
			t.Errorf("actors = %v, %v", events[1]["actor"], events[2]["actor"])
		}
		if got, want := changes(events[2]), map[string][2]any{"status": {"new", "triage"}}; !equalChanges(got, want) {
			t.Errorf("second update changes = %v, want %v", got, want)
		}
		var prevSeq float64
		for _, ev := range events {
			if seq := ev["seq"].(float64); seq <= prevSeq {
				t.Errorf("events out of order: seq %v after %v", seq, prevSeq)
			} else {
				prevSeq = seq
			}
		}

		e.run(t, []apiCase{
			{name: "auditor reads events", req: req{method: "GET", path: "/api/v1/incidents/{a}/events", as: "auditor"}, status: 200},
			{name: "reporter may not", req: req{method: "GET", path: "/api/v1/incidents/{a}/events", as: "reporter"}, status: 404},
			{name: "no such incident", req: req{method: "GET", path: "/api/v1/incidents/INC-2026-99999/events", as: "approver"}, status: 404},
			{name: "no token", req: req{method: "GET", path: "/api/v1/incidents/{a}/events"}, status: 401},
		})
	})
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func equalChanges(got, want map[string][2]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			return false
		}
	}
	return true
}

// TestStatusTransitions walks incidents to each status and tries every move from there:
// the allowed ones succeed and stamp their instants, the others are refused naming status.
func TestStatusTransitions(t *testing.T) {
	// routes reach each status from new along allowed moves.
	routes := map[string][]string{
		"new":             {},
		"triage":          {"triage"},
		"investigating":   {"triage", "investigating"},
		"contained":       {"triage", "investigating", "contained"},
		"recovering":      {"triage", "investigating", "contained", "recovering"},
		"resolved":        {"triage", "resolved"},
		"closed":          {"triage", "resolved", "closed"},
		"not_an_incident": {"not_an_incident"},
	}
	allowed := map[string][]string{
		"new":             {"triage", "not_an_incident"},
		"triage":          {"investigating", "resolved", "not_an_incident"},
		"investigating":   {"contained", "resolved", "not_an_incident"},
		"contained":       {"recovering", "resolved"},
		"recovering":      {"resolved"},
		"resolved":        {"closed", "investigating"},
		"closed":          {"investigating"},
		"not_an_incident": {"triage"},
	}
	targets := []string{"new", "triage", "investigating", "contained", "recovering", "resolved", "closed", "not_an_incident", "merged", "open", ""}
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		for from, route := range routes {
			for _, to := range targets {
				if to == from {
					continue
				}
				ok := false
				for _, a := range allowed[from] {
					ok = ok || a == to
				}
				t.Run(from+"→"+to, func(t *testing.T) {
					// Refused moves change nothing, so they share one incident per status.
					name := "at_" + from
					if ok {
						name = from + "_to_" + to
					}
					if _, made := e.refs[name]; !made {
						walkTo(t, e, name, route)
					}
					version := 1 + len(route)
					c := apiCase{req: req{method: "PATCH", path: "/api/v1/incidents/{" + name + "}", as: "handler",
						header: map[string]string{"If-Match": `"` + strconv.Itoa(version) + `"`}, body: map[string]any{"status": to}}}
					if ok {
						c.status = 200
						c.fields = map[string]any{"status": to, "version": version + 1}
					} else {
						c.status = 422
						c.problem, c.exact = []string{"status"}, true
					}
					r := e.do(t, c.req)
					e.expect(t, c, r)
					if !ok {
						return
					}
					for f, want := range map[string]bool{"resolved_at": to == "resolved" || to == "closed", "closed_at": to == "closed"} {
						if (r.get(f) != nil) != want {
							t.Errorf("%s = %v after %s → %s", f, r.get(f), from, to)
						}
					}
					if to == "contained" && r.get("contained_at") == nil {
						t.Error("contained_at not stamped")
					}
				})
			}
		}
	})
}

// walkTo records an incident and moves it along route, tracking its version.
func walkTo(t *testing.T, e *env, name string, route []string) {
	t.Helper()
	e.create(t, name, "handler", minimal(name))
	for i, st := range route {
		r := e.do(t, req{method: "PATCH", path: "/api/v1/incidents/{" + name + "}", as: "handler",
			header: map[string]string{"If-Match": `"` + strconv.Itoa(i+1) + `"`}, body: map[string]any{"status": st}})
		if r.status != 200 || r.str("status") != st {
			t.Fatalf("moving %s to %s: %d %s", name, st, r.status, r.body)
		}
	}
}

// TestConcurrentEditors has two editors read the same version and change it at once:
// exactly one wins, the other gets 412 and must read again, and no change is lost.
func TestConcurrentEditors(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "a", "handler", minimal("contended"))
		for round := 1; round <= 5; round++ {
			cur := e.do(t, req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"})
			etag := cur.header.Get("ETag")
			editors := []string{"handler", "dpo"}
			results := make([]*response, len(editors))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, who := range editors {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i] = e.do(t, req{method: "PATCH", path: "/api/v1/incidents/{a}", as: who,
						header: map[string]string{"If-Match": etag}, body: map[string]any{"people": who + " round " + strconv.Itoa(round)}})
				}()
			}
			close(start)
			wg.Wait()
			var winner, loser int = -1, -1
			for i, r := range results {
				switch r.status {
				case 200:
					winner = i
				case 412:
					loser = i
				default:
					t.Fatalf("round %d: %s got %d %s", round, editors[i], r.status, r.body)
				}
			}
			if winner < 0 || loser < 0 {
				t.Fatalf("round %d: want one 200 and one 412, got %d and %d", round, results[0].status, results[1].status)
			}
			got := e.do(t, req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"})
			if want := editors[winner] + " round " + strconv.Itoa(round); got.str("people") != want {
				t.Errorf("round %d: people = %q, want the winner's %q", round, got.str("people"), want)
			}
			// The loser reads again and reapplies; nothing is lost.
			retry := e.do(t, req{method: "PATCH", path: "/api/v1/incidents/{a}", as: editors[loser],
				header: map[string]string{"If-Match": got.header.Get("ETag")}, body: map[string]any{"discovery": editors[loser] + " round " + strconv.Itoa(round)}})
			if retry.status != 200 || retry.str("people") != got.str("people") {
				t.Errorf("round %d: retry %d %s", round, retry.status, retry.body)
			}
		}
		final := e.do(t, req{method: "GET", path: "/api/v1/incidents/{a}", as: "handler"})
		if final.get("version") != float64(11) {
			t.Errorf("version = %v after 5 rounds of two changes, want 11", final.get("version"))
		}
		if n := len(e.events(t, "a")); n != 11 {
			t.Errorf("%d events, want 1 creation and 10 updates", n)
		}
	})
}
