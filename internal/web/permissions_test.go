package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
)

// TestPermissionMatrix walks every route with every role (and no one signed in) and checks
// the matrix in docs/PERMISSIONS.md, restricted incidents included, on the web and the API.
func TestPermissionMatrix(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	principal := func(email string) auth.Principal {
		secret, p, err := e.svc.SignIn(ctx, email, password)
		if err != nil || secret == "" {
			t.Fatal(err)
		}
		return p
	}
	mk := func(p auth.Principal, title string, restricted bool) string {
		inc, err := e.svc.CreateIncident(ctx, p, domain.Patch{Title: domain.Opt[string]{Set: true, Value: title},
			Nature: domain.Opt[string]{Set: true, Value: "matrix"}, Restricted: domain.Opt[bool]{Set: true, Value: restricted}})
		if err != nil {
			t.Fatal(err)
		}
		return inc.Ref
	}
	open := mk(e.svc.System(), "Open incident", false)
	restricted := mk(principal("approver@example.org"), "Restricted incident", true)
	own := mk(principal("reporter@example.org"), "Reporter's own", false)

	roles := []string{"anonymous", "reporter", "handler", "dpo", "approver", "auditor", "admin"}
	web := map[string]*http.Client{"anonymous": e.client()}
	tokens := map[string]string{"anonymous": ""}
	for _, r := range roles[1:] {
		web[r] = e.signedIn(r + "@example.org")
		tok, err := e.svc.CreateToken(ctx, e.svc.System(), r+"@example.org", "matrix")
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = tok
	}
	// want lists the status for each role; "*" is everyone not listed.
	type want map[string]int
	tests := []struct {
		name, method, path, body string
		api                      bool
		want                     want
	}{
		{"queue", "GET", "/queue", "", false, want{"anonymous": 303, "*": 200}},
		{"read open", "GET", "/incidents/" + open, "", false, want{"anonymous": 303, "reporter": 404, "*": 200}},
		{"read restricted", "GET", "/incidents/" + restricted, "", false, want{"anonymous": 303, "approver": 200, "*": 404}},
		{"read own report", "GET", "/incidents/" + own, "", false, want{"anonymous": 303, "*": 200}},
		{"note on open", "POST", "/incidents/" + open + "/notes", "kind=internal&body=x", false,
			want{"anonymous": 303, "reporter": 404, "handler": 303, "dpo": 303, "approver": 303, "*": 403}},
		{"note on restricted", "POST", "/incidents/" + restricted + "/notes", "kind=internal&body=x", false,
			want{"anonymous": 303, "approver": 303, "*": 404}},
		{"users", "GET", "/admin/users", "", false, want{"anonymous": 303, "admin": 200, "*": 403}},
		{"settings", "GET", "/admin/settings", "", false, want{"anonymous": 303, "admin": 200, "*": 403}},
		{"save settings", "POST", "/admin/settings", "notice=Phone+01534+500050", false, want{"anonymous": 303, "admin": 303, "*": 403}},
		{"report start", "GET", "/report", "", false, want{"*": 200}},
		{"api create", "POST", "/api/v1/incidents", `{"title":"t","nature":"n"}`, true, want{"anonymous": 401, "auditor": 403, "*": 201}},
		{"api list", "GET", "/api/v1/incidents", "", true, want{"anonymous": 401, "*": 200}},
		{"api read open", "GET", "/api/v1/incidents/" + open, "", true, want{"anonymous": 401, "reporter": 404, "*": 200}},
		{"api read restricted", "GET", "/api/v1/incidents/" + restricted, "", true, want{"anonymous": 401, "approver": 200, "*": 404}},
		{"api events restricted", "GET", "/api/v1/incidents/" + restricted + "/events", "", true, want{"anonymous": 401, "approver": 200, "*": 404}},
		{"api patch open", "PATCH", "/api/v1/incidents/" + open, `{"title":"Open incident"}`, true,
			want{"anonymous": 401, "reporter": 404, "handler": 200, "dpo": 200, "approver": 200, "*": 403}},
		{"api report", "POST", "/api/v1/reports", `{"nature":"n"}`, true, want{"*": 201}},
	}
	for _, tc := range tests {
		for _, role := range roles {
			expected, ok := tc.want[role]
			if !ok {
				expected = tc.want["*"]
			}
			var req *http.Request
			if tc.api {
				req, _ = http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("If-Match", `"1"`)
				if tokens[role] != "" {
					req.Header.Set("Authorization", "Bearer "+tokens[role])
				}
				r := e.do(http.DefaultClient, req)
				if r.code != expected {
					t.Errorf("%s as %s: %d, want %d", tc.name, role, r.code, expected)
				}
				continue
			}
			req, _ = http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r := e.do(web[role], req)
			if r.code != expected {
				t.Errorf("%s as %s: %d, want %d", tc.name, role, r.code, expected)
			}
			if r.code == 303 && role == "anonymous" && !strings.HasPrefix(r.location, "/signin") {
				t.Errorf("%s as anonymous redirected to %s, want the sign-in page", tc.name, r.location)
			}
		}
	}
	// Lists agree with reads: the reporter's queue shows their own report only, and only
	// approvers see the restricted incident listed.
	for _, role := range roles[1:] {
		body := e.get(web[role], "/queue?status=all").body
		if strings.Contains(body, restricted) != (role == "approver") {
			t.Errorf("queue of %s: restricted incident listed = %v", role, strings.Contains(body, restricted))
		}
		if role == "reporter" && (strings.Contains(body, open) || !strings.Contains(body, own)) {
			t.Errorf("reporter's queue shows others' incidents or misses their own")
		}
	}
}
