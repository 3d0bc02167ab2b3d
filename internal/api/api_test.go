package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/server"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// t0 is when every test's clock starts; fixture dates lie in the weeks before it.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testClock is an injected clock. With a step it moves on at every reading, so records made
// one after another get distinct, increasing instants without any sleeping.
type testClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// The people of every test organisation, by the key tests use for them.
var people = []struct {
	key   string
	roles []auth.Role
}{
	{"admin", []auth.Role{auth.RoleAdmin}},
	{"handler", []auth.Role{auth.RoleHandler}},
	{"handler2", []auth.Role{auth.RoleHandler}},
	{"dpo", []auth.Role{auth.RoleDPO}},
	{"approver", []auth.Role{auth.RoleApprover}},
	{"auditor", []auth.Role{auth.RoleAuditor}},
	{"reporter", []auth.Role{auth.RoleReporter}},
	{"reporter2", []auth.Role{auth.RoleReporter}},
}

func email(key string) string { return key + "@example.org" }

// env is one engine's running Vigil: a migrated store, the service over it, users with API
// tokens, and the full server handler behind a real HTTP listener.
type env struct {
	engine string
	st     *store.Store
	svc    *service.Service
	clock  *testClock
	// apiClock drives the API's own clock (the report rate limiter) when a test asks for it.
	apiClock *testClock
	handler  http.Handler
	srv      *httptest.Server
	tokens   map[string]string
	// refs names the fixtures a test made; URLs and bodies may say {name} for their refs.
	refs map[string]string
}

type envOptions struct {
	publicReports bool
	// handler replaces server.Handler, e.g. to give the API an injected clock.
	handler func(e *env) http.Handler
}

// eachEngine runs fn on a fresh env of every engine, in parallel with other tests; PostgreSQL
// shows as skipped without VIGIL_TEST_POSTGRES_URL.
func eachEngine(t *testing.T, o envOptions, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		fn(t, newEnv(t, st, o))
	})
}

func newEnv(t testing.TB, st *store.Store, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	clk := &testClock{now: t0, step: time.Second}
	svc, err := service.New(ctx, st, service.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{engine: string(st.Dialect()), st: st, svc: svc, clock: clk, apiClock: &testClock{now: t0},
		tokens: map[string]string{}, refs: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(people))
	for _, p := range people {
		wg.Add(1)
		go func() { // password hashing is deliberately slow; do it in parallel
			defer wg.Done()
			if _, err := svc.AddUser(ctx, svc.System(), service.NewUser{Email: email(p.key), Name: p.key, Password: "correct horse battery staple", Roles: p.roles}); err != nil {
				errs <- fmt.Errorf("adding %s: %w", p.key, err)
				return
			}
			tok, err := svc.CreateToken(ctx, svc.System(), email(p.key), "tests")
			if err != nil {
				errs <- fmt.Errorf("token for %s: %w", p.key, err)
				return
			}
			mu.Lock()
			e.tokens[p.key] = tok
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if o.handler != nil {
		e.handler = o.handler(e)
	} else {
		e.handler = handlerOf(t, server.Handler(svc, nil, o.publicReports))
	}
	e.srv = httptest.NewServer(e.handler)
	t.Cleanup(e.srv.Close)
	return e
}

// handlerOf takes server.Handler's results, whether it returns the handler alone or with an
// error (its signature is changing as the web pages arrive).
func handlerOf(t testing.TB, results ...any) http.Handler {
	t.Helper()
	if len(results) > 1 && results[len(results)-1] != nil {
		t.Fatalf("server.Handler: %v", results[len(results)-1])
	}
	h, ok := results[0].(http.Handler)
	if !ok {
		t.Fatalf("server.Handler returned %T", results[0])
	}
	return h
}

// req is one HTTP request of a test.
type req struct {
	method, path string
	as           string // key of the user whose token to send; "" sends none
	header       map[string]string
	body         any // string, []byte, or a value to encode as JSON; nil sends no body
	// remoteAddr, when set, serves the request in-process as if from that client address.
	remoteAddr string
}

// response is what came back, with the body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	body   []byte
	doc    any
}

// expand replaces {name} with the refs of named fixtures.
func (e *env) expand(s string) string {
	for name, ref := range e.refs {
		s = strings.ReplaceAll(s, "{"+name+"}", ref)
	}
	return s
}

// do sends a request and checks what every API response must satisfy: it matches the
// OpenAPI document, and every error is an RFC 9457 problem whose status is the HTTP status.
func (e *env) do(t testing.TB, r req) *response {
	t.Helper()
	var body io.Reader
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		raw = []byte(e.expand(b))
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
		raw = []byte(e.expand(string(raw)))
	}
	if r.body != nil {
		body = bytes.NewReader(raw)
	}
	path := e.expand(r.path)
	var hr *http.Request
	var err error
	if r.remoteAddr != "" {
		hr = httptest.NewRequest(r.method, path, body)
		hr.RemoteAddr = r.remoteAddr
	} else if hr, err = http.NewRequest(r.method, e.srv.URL+path, body); err != nil {
		t.Fatal(err)
	}
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.as != "" {
		tok, ok := e.tokens[r.as]
		if !ok {
			t.Fatalf("no user %q", r.as)
		}
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, e.expand(v))
		}
	}
	out := &response{}
	if r.remoteAddr != "" {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, hr)
		out.status, out.header, out.body = rec.Code, rec.Header(), rec.Body.Bytes()
	} else {
		resp, err := e.srv.Client().Do(hr)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, path, err)
		}
		defer resp.Body.Close()
		out.status, out.header = resp.StatusCode, resp.Header
		if out.body, err = io.ReadAll(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	mt, _, _ := mime.ParseMediaType(out.header.Get("Content-Type"))
	if strings.HasSuffix(mt, "json") {
		if err := json.Unmarshal(out.body, &out.doc); err != nil {
			t.Errorf("%s %s: %d body is not JSON: %v: %s", r.method, path, out.status, err, truncate(out.body))
		}
	}
	u, _ := url.Parse(path)
	if strings.HasPrefix(u.Path, "/api/v1/") {
		checkResponse(t, r.method, u.Path, out.status, out.header, out.body)
		if out.status >= 400 {
			if mt != "application/problem+json" {
				t.Errorf("%s %s: %d has Content-Type %q, want application/problem+json", r.method, path, out.status, mt)
			} else if got := out.get("status"); got != float64(out.status) {
				t.Errorf("%s %s: problem status %v differs from HTTP status %d", r.method, path, got, out.status)
			}
		}
	}
	return out
}

// get reads a dotted path such as "reporter.name" or "items.0.ref" from the JSON body.
func (r *response) get(path string) any {
	v := r.doc
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (r *response) str(path string) string {
	s, _ := r.get(path).(string)
	return s
}

func (r *response) items() []map[string]any {
	raw, _ := r.get("items").([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// problemFields lists the fields a problem's errors name.
func (r *response) problemFields() []string {
	var out []string
	errs, _ := r.get("errors").([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		msg, _ := m["message"].(string)
		if f != "" && msg != "" {
			out = append(out, f)
		}
	}
	return out
}

// apiCase is one row of a scenario table, in the style of PocketBase's ApiScenario.
type apiCase struct {
	name string
	req
	status int
	// fields are expected values at dotted JSON paths (strings, bools, ints, nil for null).
	fields map[string]any
	// problem lists fields the problem's errors array must name (and it must name no others
	// when exact is set).
	problem     []string
	exact       bool
	contains    []string
	notContains []string
	headers     map[string]string
	after       func(t *testing.T, e *env, r *response)
}

func (e *env) run(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.req)
			e.expect(t, c, r)
		})
	}
}

func (e *env) expect(t *testing.T, c apiCase, r *response) {
	t.Helper()
	if r.status != c.status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, c.status, truncate(r.body))
	}
	for path, want := range c.fields {
		if s, ok := want.(string); ok {
			want = e.expand(s)
		}
		if !jsonEqual(r.get(path), want) {
			t.Errorf("%s = %#v, want %#v", path, r.get(path), want)
		}
	}
	if c.problem != nil {
		got := r.problemFields()
		for _, f := range c.problem {
			if !slices.Contains(got, f) {
				t.Errorf("problem does not name %q; errors name %v; body: %s", f, got, r.body)
			}
		}
		if c.exact && len(got) != len(c.problem) {
			t.Errorf("problem names %v, want exactly %v", got, c.problem)
		}
	}
	for _, s := range c.contains {
		if !bytes.Contains(r.body, []byte(e.expand(s))) {
			t.Errorf("body does not contain %q: %s", s, truncate(r.body))
		}
	}
	for _, s := range c.notContains {
		if bytes.Contains(r.body, []byte(e.expand(s))) {
			t.Errorf("body contains %q: %s", s, truncate(r.body))
		}
	}
	for k, want := range c.headers {
		if got := r.header.Get(k); got != e.expand(want) {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if c.after != nil {
		c.after(t, e, r)
	}
}

// jsonEqual compares a decoded JSON value with a Go literal.
func jsonEqual(got, want any) bool {
	switch w := want.(type) {
	case int:
		want = float64(w)
	case []string:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if g[i] != w[i] {
				return false
			}
		}
		return true
	}
	return got == want
}

// create records an incident as who and names it; it fails the test unless it is created.
func (e *env) create(t testing.TB, name, who string, body map[string]any) *response {
	t.Helper()
	r := e.do(t, req{method: "POST", path: "/api/v1/incidents", as: who, body: body})
	if r.status != http.StatusCreated {
		t.Fatalf("creating %s: %d %s", name, r.status, r.body)
	}
	e.refs[name] = r.str("ref")
	return r
}

// patch changes a named incident at its current version, failing unless it succeeds.
func (e *env) patch(t testing.TB, name, who string, body map[string]any) *response {
	t.Helper()
	cur := e.do(t, req{method: "GET", path: "/api/v1/incidents/" + e.refs[name], as: "approver"})
	if cur.status != http.StatusOK {
		t.Fatalf("reading %s: %d %s", name, cur.status, cur.body)
	}
	r := e.do(t, req{method: "PATCH", path: "/api/v1/incidents/" + e.refs[name], as: who,
		header: map[string]string{"If-Match": cur.header.Get("ETag")}, body: body})
	if r.status != http.StatusOK {
		t.Fatalf("changing %s with %v: %d %s", name, body, r.status, r.body)
	}
	return r
}

// list reads every page of a list as who, returning the items in order.
func (e *env) list(t testing.TB, who, query string) []map[string]any {
	t.Helper()
	var all []map[string]any
	cursor := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("list never ends")
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.do(t, req{method: "GET", path: "/api/v1/incidents?" + q.Encode(), as: who})
		if r.status != http.StatusOK {
			t.Fatalf("listing %q: %d %s", query, r.status, r.body)
		}
		all = append(all, r.items()...)
		if cursor = r.str("next"); cursor == "" {
			return all
		}
	}
}

// events reads an incident's record of events as the approver.
func (e *env) events(t testing.TB, name string) []map[string]any {
	t.Helper()
	r := e.do(t, req{method: "GET", path: "/api/v1/incidents/" + e.refs[name] + "/events", as: "approver"})
	if r.status != http.StatusOK {
		t.Fatalf("events of %s: %d %s", name, r.status, r.body)
	}
	return r.items()
}

// snapshot is everything the register holds, as the approver (who sees all) lists it, and
// the length of the record of events (whose hash chain must also verify): an unchanged
// snapshot proves a refused request wrote nothing, not even half of something.
func (e *env) snapshot(t testing.TB) string {
	t.Helper()
	n, err := e.svc.VerifyAudit(context.Background(), e.svc.System())
	if err != nil {
		t.Fatalf("record of events: %v", err)
	}
	js, err := json.Marshal(e.list(t, "approver", "sort=reported_at&limit=200"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("events=%d\n%s", n, js)
}

func refsOf(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["ref"].(string)
	}
	return out
}

func minimal(title string) map[string]any {
	return map[string]any{"title": title, "nature": "Something happened: " + title}
}
