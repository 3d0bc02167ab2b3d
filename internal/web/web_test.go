package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/server"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

const password = "Correct-Horse-Battery-9"

// testLog sends the server's log to the test's output, shown when a test fails.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

type env struct {
	t   *testing.T
	srv *httptest.Server
	svc *service.Service
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	st := storetest.Open(t, engine)
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(context.Background(), st, service.Options{Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(svc, slog.New(slog.NewTextHandler(testLog{t}, nil)), true))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, svc: svc}
	for _, r := range auth.AllRoles {
		e.addUser(string(r)+"@example.org", strings.ToUpper(string(r[:1]))+string(r[1:]), r)
	}
	return e
}

func (e *env) addUser(email, name string, roles ...auth.Role) {
	e.t.Helper()
	if _, err := e.svc.AddUser(context.Background(), e.svc.System(), service.NewUser{Email: email, Name: name, Password: password, Roles: roles}); err != nil {
		e.t.Fatal(err)
	}
}

// client is a browser without JavaScript: a cookie jar that does not follow redirects.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) signedIn(email string) *http.Client {
	e.t.Helper()
	c := e.client()
	resp := e.post(c, "/signin", url.Values{"email": {email}, "password": {password}})
	if resp.code != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d %s", email, resp.code, resp.body)
	}
	return c
}

type response struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (e *env) do(c *http.Client, req *http.Request) response {
	e.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b), res.Header.Get("Location"), res.Header}
}

func (e *env) get(c *http.Client, path string) response {
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	return e.do(c, req)
}

func (e *env) post(c *http.Client, path string, form url.Values) response {
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(c, req)
}

var tokenRE = regexp.MustCompile(`/status/(vgs_[a-z0-9]+)`)

// report goes through the reporting journey as a member of the public without JavaScript.
func (e *env) report(c *http.Client, nature string, example ...string) (ref, statusPath string) {
	e.t.Helper()
	if r := e.post(c, "/report", nil); r.code != http.StatusSeeOther || r.location != "/report/example" {
		e.t.Fatalf("start: %d %s", r.code, r.location)
	}
	answers := []struct {
		step string
		form url.Values
	}{
		{"example", url.Values{"example": {append(example, "none")[0]}}},
		{"what", url.Values{"nature": {nature}}},
		{"information", url.Values{"systems": {"Client spreadsheet"}}},
		{"people", url.Values{"people": {"30 clients"}}},
		{"when", url.Values{"occurred-day": {"20"}, "occurred-month": {"11"}, "occurred-year": {"2025"}, "occurred-time": {"16:55"}}},
		{"discovered", url.Values{"discovered-day": {"21"}, "discovered-month": {"11"}, "discovered-year": {"2025"}}},
		{"personal-data", url.Values{"personal_data": {"yes"}}},
		{"about-you", url.Values{"relationship": {"public"}, "name": {"Amira"}, "contact": {"amira@example.org"}}},
	}
	for _, a := range answers {
		if r := e.post(c, "/report/"+a.step, a.form); r.code != http.StatusSeeOther {
			e.t.Fatalf("step %s: %d %s", a.step, r.code, r.body)
		}
	}
	// Attach the e-mail as a file, then continue.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "wrong-recipient.eml")
	fw.Write([]byte("From: amira@example.org\r\nTo: a.khan@example.com\r\n\r\nclient list attached"))
	mw.WriteField("action", "upload")
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/report/files", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := e.do(c, req); r.code != http.StatusSeeOther {
		e.t.Fatalf("upload: %d %s", r.code, r.body)
	}
	if r := e.post(c, "/report/files", url.Values{"action": {"continue"}}); r.code != http.StatusSeeOther || r.location != "/report/check" {
		e.t.Fatalf("files step: %d %s", r.code, r.location)
	}
	check := e.get(c, "/report/check")
	for _, want := range []string{nature, "Client spreadsheet", "30 clients", "20 November 2025 at 16:55", "Amira", "wrong-recipient.eml"} {
		if !strings.Contains(check.body, want) {
			e.t.Fatalf("check your answers lacks %q: %d %s %s", want, check.code, check.location, check.body)
		}
	}
	r := e.post(c, "/report/check", nil)
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/report/done/INC-") {
		e.t.Fatalf("send: %d %s", r.code, r.location)
	}
	done := e.get(c, r.location)
	m := tokenRE.FindStringSubmatch(done.body)
	if m == nil {
		e.t.Fatalf("confirmation has no status link: %s", done.body)
	}
	ref = strings.TrimPrefix(strings.SplitN(r.location, "?", 2)[0], "/report/done/")
	if !strings.Contains(done.body, ref) {
		e.t.Fatalf("confirmation does not show %s", ref)
	}
	return ref, "/status/" + m[1]
}

func TestReportToClosureWithoutJavaScript(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			public := e.client()

			// An empty answer gets the error summary linked to the field, and nothing is lost.
			e.post(public, "/report", nil)
			r := e.post(public, "/report/what", url.Values{"nature": {""}})
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<a href="#nature">Enter what happened</a>`) || !strings.Contains(r.body, "<title>Error: ") {
				t.Fatalf("empty answer: %d %s", r.code, r.body)
			}

			ref, status := e.report(e.client(), "I e-mailed the client list to the wrong A. Khan", "emailed-wrong-party")
			handler := e.signedIn("handler@example.org")
			q := e.get(handler, "/queue")
			if i := strings.Index(q.body, ref); i < 0 {
				t.Fatalf("queue does not list %s", ref)
			}
			inc := e.get(handler, "/incidents/"+ref)
			if inc.code != 200 || !strings.Contains(inc.body, "I e-mailed the client list") {
				t.Fatalf("workspace: %d", inc.code)
			}
			steps := []struct {
				path string
				form url.Values
			}{
				{"/classify", url.Values{"version": {"1"}, "class": {"incident"}, "personal_data": {"yes"}, "reason": {"Client data sent outside"}}},
				{"/assign", url.Values{"version": {"2"}, "owner": {"dpo@example.org"}}},
				{"/notes", url.Values{"kind": {"internal"}, "body": {"Recipient asked to delete – SECRET NOTE"}}},
				{"/notes", url.Values{"kind": {"to_reporter"}, "body": {"Thank you, we are dealing with it"}}},
				{"/status", url.Values{"version": {"3"}, "to": {"triage"}}},
				{"/status", url.Values{"version": {"4"}, "to": {"resolved"}}},
				// A confirmed incident closes only after its lessons-learnt review (seed 001 §7).
				{"/review", url.Values{"assets_reviewed": {"yes"}, "policies_reviewed": {"yes"}, "training_reviewed": {"yes"},
					"went_well": {"Quick recall"}, "went_badly": {"Autocomplete"}, "complete": {"yes"}}},
				{"/status", url.Values{"version": {"5"}, "to": {"closed"}}},
			}
			for _, s := range steps {
				if r := e.post(handler, "/incidents/"+ref+s.path, s.form); r.code != http.StatusSeeOther {
					t.Fatalf("%s: %d %s", s.path, r.code, r.body)
				}
			}
			// A stale version is refused, not silently applied.
			if r := e.post(handler, "/incidents/"+ref+"/status", url.Values{"version": {"1"}, "to": {"investigating"}}); r.code != http.StatusConflict {
				t.Fatalf("stale change: %d", r.code)
			}
			got, err := e.svc.Incident(context.Background(), e.svc.System(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != domain.StatusClosed || got.Class != domain.ClassIncident || got.Owner != "dpo@example.org" || got.ClosedAt == nil {
				t.Fatalf("incident after handling: %+v", got)
			}
			// The reporter sees the new status and the message to them, never the internal note.
			page := e.get(e.client(), status)
			if !strings.Contains(page.body, "dealt with") || !strings.Contains(page.body, "we are dealing with it") || strings.Contains(page.body, "SECRET NOTE") {
				t.Fatalf("status page: %s", page.body)
			}
			if r := e.post(e.client(), status, url.Values{"body": {"They replied: deleted"}}); r.code != 200 || !strings.Contains(r.body, "They replied: deleted") {
				t.Fatalf("reporter adds information: %d", r.code)
			}
			// The example the reporter picked steers the stored suggestion, with its reason.
			sugg, err := e.svc.Incident(context.Background(), e.svc.System(), ref)
			if err != nil || sugg.Suggestion == nil || sugg.Suggestion.ICOType != "data-emailed-to-incorrect-recipient" ||
				len(sugg.Suggestion.Because.ICOType) == 0 || !strings.Contains(sugg.Suggestion.Because.ICOType[0], "the reporter chose") {
				t.Fatalf("suggestion after picking an example: %+v %v", sugg.Suggestion, err)
			}
			files, err := e.svc.Attachments(context.Background(), e.svc.System(), ref)
			if err != nil || len(files) != 1 || files[0].Name != "wrong-recipient.eml" || len(files[0].SHA256) != 64 {
				t.Fatalf("report's file did not reach the incident: %v %v", files, err)
			}
			events, err := e.svc.IncidentEvents(context.Background(), e.svc.System(), ref)
			if err != nil || len(events) < 8 {
				t.Fatalf("record of events: %d entries, %v", len(events), err)
			}
		})
	}
}

func TestSignInLockoutAndTiming(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := e.client()
	for i := 0; i < 5; i++ {
		r := e.post(c, "/signin", url.Values{"email": {"handler@example.org"}, "password": {"wrong password!"}})
		if r.code == http.StatusSeeOther {
			t.Fatal("wrong password accepted")
		}
	}
	r := e.post(c, "/signin", url.Values{"email": {"handler@example.org"}, "password": {password}})
	if r.code != http.StatusTooManyRequests || !strings.Contains(r.body, "Wait 15 minutes") {
		t.Fatalf("locked account let the right password in: %d", r.code)
	}
	// Unknown users get the same answer as a wrong password.
	unknown := e.post(c, "/signin", url.Values{"email": {"nobody@example.org"}, "password": {"whatever-it-is"}})
	wrong := e.post(c, "/signin", url.Values{"email": {"dpo@example.org"}, "password": {"whatever-it-is"}})
	if unknown.code != wrong.code || !strings.Contains(unknown.body, "Enter a correct e-mail address and password") {
		t.Fatalf("unknown user answered differently: %d vs %d", unknown.code, wrong.code)
	}
}

func TestSecurityHeadersAndCSRF(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.get(e.client(), "/report")
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(r.body, "<script>") || strings.Contains(r.body, "style=") {
		t.Error("inline script or style found")
	}
	if r.header.Get("Referrer-Policy") == "" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("missing Referrer-Policy or nosniff")
	}
	// A cross-site form post is refused (CSRF), whoever is signed in.
	c := e.signedIn("handler@example.org")
	req, _ := http.NewRequest("POST", e.srv.URL+"/signout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := e.do(c, req); r.code != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", r.code)
	}
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "vigil_session" && ck.Value == "" {
			t.Fatal("session cookie empty")
		}
	}
}

func TestReportNoticeAndSecureCookie(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin := e.signedIn("admin@example.org")
	if r := e.post(admin, "/admin/settings", url.Values{"notice": {"Call 01534 500050 or visit 1 Seaton Place."}}); r.code != http.StatusSeeOther {
		t.Fatalf("save notice: %d", r.code)
	}
	if r := e.get(e.client(), "/report"); !strings.Contains(r.body, "Call 01534 500050 or visit 1 Seaton Place.") {
		t.Fatal("the reporting page does not show the organisation's notice")
	}

	// Over HTTPS the session cookie is __Host-, Secure, HttpOnly and path /.
	tls := httptest.NewTLSServer(e.srv.Config.Handler)
	defer tls.Close()
	c := tls.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.PostForm(tls.URL+"/signin", url.Values{"email": {"handler@example.org"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-vigil" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
				t.Fatalf("cookie attributes: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatalf("no __Host- session cookie over HTTPS: %v", res.Cookies())
	}
}

func TestDeadlineSettings(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin := e.signedIn("admin@example.org")
	bad := e.post(admin, "/admin/settings/deadlines", url.Values{"jurisdictions": {"UK"}, "calendar": {"jersey"}, "thresholds": {"90, 50"}, "subjects_hours": {"72"}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `href="#thresholds"`) {
		t.Fatalf("falling thresholds accepted: %d", bad.code)
	}
	r := e.post(admin, "/admin/settings/deadlines", url.Values{"jurisdictions": {"UK", "JE"}, "calendar": {"jersey"}, "thresholds": {"50, 90, 100"},
		"subjects_hours": {"48"}, "nis2": {"yes"}, "webhooks": {"https://hooks.example.org/vigil 0123456789abcdef0123"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.code, r.body)
	}
	cs, err := e.svc.ClockSettings(context.Background(), e.svc.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Jurisdictions) != 2 || cs.Calendar != "jersey" || !cs.NIS2 || cs.SubjectsHours != 48 || len(cs.Thresholds) != 3 || len(cs.Webhooks) != 1 {
		t.Fatalf("saved settings: %+v", cs)
	}
	if r := e.post(e.signedIn("handler@example.org"), "/admin/settings/deadlines", url.Values{"calendar": {"jersey"}}); r.code != http.StatusForbidden {
		t.Fatalf("handler changed settings: %d", r.code)
	}
	if r := e.post(admin, "/admin/settings/breach", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("breach settings: %d", r.code)
	}
	if bs, _ := e.svc.BreachSettings(context.Background(), e.svc.System()); bs.SignOffRequired {
		t.Fatal("sign-off still required after switching it off")
	}
}
