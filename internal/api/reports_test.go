package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/api"
)

// apiWithClock serves the API with public reports on, its rate limiter on the env's apiClock.
func apiWithClock(perMinute int) func(e *env) http.Handler {
	return func(e *env) http.Handler {
		mux := http.NewServeMux()
		api.New(e.svc, api.Options{PublicReports: true, ReportsPerMinute: perMinute, Now: e.apiClock.Now}).Register(mux)
		return mux
	}
}

var statusTokenPattern = regexp.MustCompile(`^vgs_[A-Za-z0-9_-]{20,}$`)

func TestPublicReports(t *testing.T) {
	eachEngine(t, envOptions{handler: apiWithClock(1000)}, func(t *testing.T, e *env) {
		report := func(body any) req { return req{method: "POST", path: "/api/v1/reports", body: body} }
		var token string
		e.run(t, []apiCase{
			{name: "report", req: report(map[string]any{"nature": "I clicked a link in an e-mail\nand typed my password", "systems": "Webmail"}), status: 201,
				after: func(t *testing.T, e *env, r *response) {
					e.refs["report"] = r.str("ref")
					token = r.str("status_token")
					if !refPattern.MatchString(r.str("ref")) || !statusTokenPattern.MatchString(token) {
						t.Errorf("receipt %s", r.body)
					}
					if r.str("status_url") != "/api/v1/reports/"+token {
						t.Errorf("status_url = %q", r.str("status_url"))
					}
				}},
		})
		e.refs["token"] = token
		long := strings.Repeat("Something odd happened with the payroll export again today; ", 3)
		e.run(t, []apiCase{
			{name: "status link", req: req{method: "GET", path: "/api/v1/reports/{token}"}, status: 200,
				fields: map[string]any{"ref": "{report}", "status": "received"}},
			{name: "the team sees it", req: req{method: "GET", path: "/api/v1/incidents/{report}", as: "handler"}, status: 200,
				fields:      map[string]any{"title": "I clicked a link in an e-mail", "reporter.relationship": "public", "status": "new", "systems": "Webmail"},
				notContains: []string{token}},
			{name: "the events do not leak the token", req: req{method: "GET", path: "/api/v1/incidents/{report}/events", as: "approver"}, status: 200,
				fields: map[string]any{"items.0.action": "incident.created", "items.0.actor": "public reporter"}, notContains: []string{token}},
			{name: "a token is ignored", req: req{method: "POST", path: "/api/v1/reports", as: "auditor", body: minimal("sent with a token")}, status: 201},
			{name: "reporter details", req: report(map[string]any{"title": "Tailgating", "nature": "Someone followed me in",
				"reporter": map[string]any{"name": "Bo", "contact": "bo@example.net", "relationship": "supplier"}}), status: 201},
			{name: "long first line", req: report(map[string]any{"nature": long}), status: 201,
				after: func(t *testing.T, e *env, r *response) {
					e.refs["long"] = r.str("ref")
					got := e.do(t, req{method: "GET", path: "/api/v1/incidents/{long}", as: "handler"})
					if title := []rune(got.str("title")); len(title) != 78 || !strings.HasSuffix(string(title), "…") {
						t.Errorf("title from a long description = %q (%d runes)", string(title), len(title))
					}
				}},
			{name: "unknown token", req: req{method: "GET", path: "/api/v1/reports/vgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, status: 404},
			{name: "not a token", req: req{method: "GET", path: "/api/v1/reports/{report}"}, status: 404},
			{name: "an API token is not a status token", req: req{method: "GET", path: "/api/v1/reports/" + e.tokens["handler"]}, status: 404},
		})

		before := e.snapshot(t)
		t.Run("refused", func(t *testing.T) {
			e.run(t, []apiCase{
				{name: "team fields", req: report(map[string]any{"nature": "x", "status": "triage", "owner": email("dpo"), "class": "incident", "restricted": true}),
					status: 422, problem: []string{"class", "owner", "restricted", "status"}, exact: true},
				{name: "nothing said", req: report(map[string]any{}), status: 422, problem: []string{"nature", "title"}, exact: true},
				{name: "blank", req: report(map[string]any{"nature": "   "}), status: 422, problem: []string{"nature"}},
				{name: "future occurrence", req: report(map[string]any{"nature": "x", "occurred_at": "2099-01-01T00:00:00Z"}), status: 422, problem: []string{"occurred_at"}},
			})
			for _, c := range badBodies() {
				c.method, c.path = "POST", "/api/v1/reports"
				if c.status == 422 && c.problem != nil && (c.problem[0] == "owner" || c.problem[0] == "status") {
					continue // team fields are refused earlier, above
				}
				e.run(t, []apiCase{c})
			}
		})
		if after := e.snapshot(t); after != before {
			t.Errorf("refused reports changed the register:\nbefore %s\nafter  %s", before, after)
		}

		// The reporter follows the report in words that reveal nothing of the team's view.
		for _, step := range []struct{ status, says string }{{"triage", "being looked at"}, {"not_an_incident", "dealt with"}, {"triage", "being looked at"}} {
			e.patch(t, "report", "handler", map[string]any{"status": step.status})
			e.run(t, []apiCase{{name: "after " + step.status, req: req{method: "GET", path: "/api/v1/reports/{token}"}, status: 200,
				fields: map[string]any{"status": step.says}, notContains: []string{"triage", "not_an_incident", email("handler")}}})
		}
	})
}

func TestPublicReportsDisabled(t *testing.T) {
	eachEngine(t, envOptions{publicReports: false}, func(t *testing.T, e *env) {
		before := e.snapshot(t)
		e.run(t, []apiCase{
			{name: "report", req: req{method: "POST", path: "/api/v1/reports", body: minimal("anyone there?")}, status: 404,
				fields: map[string]any{"title": "Reporting without signing in is switched off"}},
			{name: "even with a token", req: req{method: "POST", path: "/api/v1/reports", as: "handler", body: minimal("anyone there?")}, status: 404},
			{name: "status links answer 404", req: req{method: "GET", path: "/api/v1/reports/vgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, status: 404},
			{name: "signed-in reporting still works", req: req{method: "POST", path: "/api/v1/incidents", as: "reporter", body: minimal("signed in")}, status: 201},
		})
		after := e.snapshot(t)
		if strings.Count(after, `"ref"`) != strings.Count(before, `"ref"`)+1 {
			t.Errorf("want exactly the signed-in report recorded:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestPublicReportsServer checks server.Handler wires public reporting through when enabled.
func TestPublicReportsServer(t *testing.T) {
	eachEngine(t, envOptions{publicReports: true}, func(t *testing.T, e *env) {
		e.run(t, []apiCase{
			{name: "report", req: req{method: "POST", path: "/api/v1/reports", body: minimal("via the server")}, status: 201},
			{name: "security headers", req: req{method: "GET", path: "/api/v1/incidents", as: "handler"}, status: 200,
				headers: map[string]string{"X-Content-Type-Options": "nosniff"}},
		})
	})
}

// TestReportRateLimit drives the limiter with an injected clock: a burst per client, then
// 429 with Retry-After until tokens refill; other clients are unaffected; a refused report
// writes nothing.
func TestReportRateLimit(t *testing.T) {
	eachEngine(t, envOptions{handler: apiWithClock(3)}, func(t *testing.T, e *env) {
		from := func(addr string) req {
			return req{method: "POST", path: "/api/v1/reports", body: minimal("from " + addr), remoteAddr: addr}
		}
		limited := apiCase{status: 429, headers: map[string]string{"Retry-After": "60"}, fields: map[string]any{"title": "Too many reports"}}
		ok := apiCase{status: 201}
		steps := []struct {
			name    string
			advance time.Duration
			addr    string
			want    apiCase
		}{
			{"a 1", 0, "192.0.2.1:1000", ok},
			{"a 2", 0, "192.0.2.1:1001", ok},
			{"a 3", 0, "192.0.2.1:1002", ok},
			{"a over the burst", 0, "192.0.2.1:1003", limited},
			{"a still", 10 * time.Second, "192.0.2.1:1004", limited},
			{"b is another client", 0, "192.0.2.2:1000", ok},
			{"ipv6 is another client", 0, "[2001:db8::1]:1000", ok},
			{"a after 20s has one more", 10 * time.Second, "192.0.2.1:1005", ok},
			{"a then waits again", 0, "192.0.2.1:1006", limited},
			{"a after ten minutes has the burst back", 10 * time.Minute, "192.0.2.1:1007", ok},
			{"a 2 after", 0, "192.0.2.1:1008", ok},
			{"a 3 after", 0, "192.0.2.1:1009", ok},
			{"but no more than the burst", 0, "192.0.2.1:1010", limited},
		}
		created := 0
		for _, s := range steps {
			e.apiClock.Advance(s.advance)
			c := s.want
			c.name, c.req = s.name, from(s.addr)
			e.run(t, []apiCase{c})
			if c.status == 201 {
				created++
			}
		}
		if got := len(e.list(t, "approver", "limit=200")); got != created {
			t.Errorf("%d incidents recorded, want %d: refused reports must write nothing", got, created)
		}
	})
}

// TestOpenAPIServed checks the document is served as-is at /api/v1/openapi.json.
func TestOpenAPIServed(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.run(t, []apiCase{{name: "document", req: req{method: "GET", path: "/api/v1/openapi.json"}, status: 200,
			headers: map[string]string{"Content-Type": "application/json"},
			fields:  map[string]any{"openapi": "3.1.0", "info.title": "Vigil API"},
			after: func(t *testing.T, e *env, r *response) {
				if !bytes.Equal(r.body, api.OpenAPIDocument) {
					t.Error("served document differs from openapi.json")
				}
			}}})
	})
}
