package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"mime"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-ir/vigil/internal/api"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// specURL is where the compiler believes the document lives; the whole document is one
// resource, so $refs such as #/components/schemas/Incident resolve inside it.
const specURL = "https://vigil.test/api/v1/openapi.json"

// openAPISpec is the parsed document with a compiler for its response schemas.
type openAPISpec struct {
	doc    map[string]any
	routes []specRoute

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

// specRoute is one documented path template and the regexp matching concrete paths.
type specRoute struct {
	template string
	re       *regexp.Regexp
}

var loadSpec = sync.OnceValues(func() (*openAPISpec, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPIDocument))
	if err != nil {
		return nil, fmt.Errorf("openapi.json does not parse: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi.json is not an object")
	}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.1 schemas are JSON Schema 2020-12 (its default jsonSchemaDialect).
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, err
	}
	s := &openAPISpec{doc: m, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	paths, _ := m["paths"].(map[string]any)
	for tpl := range paths {
		parts := strings.Split(tpl, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				parts[i] = "[^/]+"
			} else {
				parts[i] = regexp.QuoteMeta(p)
			}
		}
		s.routes = append(s.routes, specRoute{template: tpl, re: regexp.MustCompile("^" + strings.Join(parts, "/") + "$")})
	}
	// Literal templates win over templated ones, as in the mux.
	sort.Slice(s.routes, func(i, j int) bool {
		return strings.Count(s.routes[i].template, "{") < strings.Count(s.routes[j].template, "{")
	})
	return s, nil
})

// spec returns the parsed document or fails the test.
func spec(t testing.TB) *openAPISpec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pointerEscape escapes one JSON-pointer token (RFC 6901), then makes it safe in a URL fragment.
func pointerEscape(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
	return strings.NewReplacer("{", "%7B", "}", "%7D").Replace(s)
}

// schemaAt compiles (once) the schema at a JSON pointer in the document.
func (s *openAPISpec) schemaAt(ptr ...string) (*jsonschema.Schema, error) {
	esc := make([]string, len(ptr))
	for i, p := range ptr {
		esc[i] = pointerEscape(p)
	}
	loc := specURL + "#/" + strings.Join(esc, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[loc]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", loc, err)
	}
	s.schemas[loc] = sch
	return sch, nil
}

// route finds the documented template of a concrete path.
func (s *openAPISpec) route(path string) (string, bool) {
	for _, r := range s.routes {
		if r.re.MatchString(path) {
			return r.template, true
		}
	}
	return "", false
}

func (s *openAPISpec) operation(tpl, method string) (map[string]any, bool) {
	item, _ := s.doc["paths"].(map[string]any)[tpl].(map[string]any)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// checkResponse validates a real response against the document: the status must be
// documented for the path and method, the media type must be one the document lists for it,
// and the body must match that media type's schema. Requests the API does not route (the
// catch-all) must be 404 problems, which are checked against the Problem schema.
func checkResponse(t testing.TB, method, path string, status int, header http.Header, body []byte) {
	t.Helper()
	s := spec(t)
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	where := fmt.Sprintf("%s %s -> %d", method, path, status)
	tpl, ok := s.route(path)
	var op map[string]any
	if ok {
		op, ok = s.operation(tpl, method)
	}
	if !ok {
		if status != http.StatusNotFound || mt != "application/problem+json" {
			t.Errorf("%s: undocumented operation answered %d %s", where, status, mt)
			return
		}
		validateBody(t, s, where, body, "components", "schemas", "Problem")
		return
	}
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		if resp, ok = responses["default"].(map[string]any); !ok {
			t.Errorf("%s: status %d is not documented for %s %s (documented: %v)", where, status, strings.ToUpper(method), tpl, keys(responses))
			return
		}
		code = "default"
	}
	content, hasContent := resp["content"].(map[string]any)
	if !hasContent {
		if len(bytes.TrimSpace(body)) != 0 {
			t.Errorf("%s: the document says no content, got %q", where, truncate(body))
		}
		return
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		t.Errorf("%s: Content-Type %q is not documented (documented: %v)", where, header.Get("Content-Type"), keys(content))
		return
	}
	if _, ok := media["schema"]; !ok {
		if !json.Valid(body) && strings.HasSuffix(mt, "json") {
			t.Errorf("%s: body is not JSON: %q", where, truncate(body))
		}
		return
	}
	validateBody(t, s, where, body, "paths", tpl, strings.ToLower(method), "responses", code, "content", mt, "schema")
}

func validateBody(t testing.TB, s *openAPISpec, where string, body []byte, ptr ...string) {
	t.Helper()
	sch, err := s.schemaAt(ptr...)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON (%v): %q", where, err, truncate(body))
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: body does not match the OpenAPI document:\n%v\nbody: %s", where, err, truncate(body))
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// registeredRoutes reads the method-and-path patterns the package's source (api.go and any
// other file) registers on a mux.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			routes = append(routes, pattern)
			return true
		})
	}
	if !slices.ContainsFunc(routes, func(r string) bool { return strings.HasPrefix(r, "GET /api/v1/incidents") }) {
		t.Fatalf("found no incident routes in the package's source: %v", routes)
	}
	return routes
}

// TestOpenAPIDocument checks the document itself: it parses, is OpenAPI 3.1, every schema
// in it compiles as JSON Schema 2020-12, every operation documents its failures as problems,
// and the routes in api.go and the paths in the document are the same set.
func TestOpenAPIDocument(t *testing.T) {
	s := spec(t)
	if v, _ := s.doc["openapi"].(string); !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	if _, ok := s.doc["info"].(map[string]any)["title"].(string); !ok {
		t.Error("info.title is missing")
	}

	t.Run("components compile", func(t *testing.T) {
		schemas, _ := s.doc["components"].(map[string]any)["schemas"].(map[string]any)
		for _, name := range []string{"Incident", "IncidentInput", "Reporter", "IncidentList", "Event", "EventList", "Problem", "ReportReceipt", "ReportStatus"} {
			if _, ok := schemas[name]; !ok {
				t.Errorf("components.schemas.%s is missing", name)
			}
		}
		for name := range schemas {
			if _, err := s.schemaAt("components", "schemas", name); err != nil {
				t.Errorf("schema %s: %v", name, err)
			}
		}
	})

	t.Run("operations", func(t *testing.T) {
		ids := map[string]bool{}
		paths := s.doc["paths"].(map[string]any)
		for tpl, item := range paths {
			for method, raw := range item.(map[string]any) {
				if method == "parameters" {
					continue
				}
				op := raw.(map[string]any)
				id, _ := op["operationId"].(string)
				if id == "" || ids[id] {
					t.Errorf("%s %s: operationId %q missing or duplicated", method, tpl, id)
				}
				ids[id] = true
				responses, _ := op["responses"].(map[string]any)
				if len(responses) == 0 {
					t.Errorf("%s %s: no responses", method, tpl)
				}
				for code, r := range responses {
					content, _ := r.(map[string]any)["content"].(map[string]any)
					for mt, m := range content {
						if _, ok := m.(map[string]any)["schema"]; !ok {
							continue
						}
						if _, err := s.schemaAt("paths", tpl, method, "responses", code, "content", mt, "schema"); err != nil {
							t.Errorf("%s %s %s %s: %v", method, tpl, code, mt, err)
						}
					}
					if n, _ := strconv.Atoi(code); n >= 400 {
						if _, ok := content["application/problem+json"]; !ok {
							t.Errorf("%s %s: %s is not documented as application/problem+json", method, tpl, code)
						}
					}
				}
				// Operations behind a token say so: the global bearer requirement applies
				// unless the operation clears it, and then 401 must be documented.
				sec, overrides := op["security"].([]any)
				if !overrides || len(sec) > 0 {
					if _, ok := responses["401"]; !ok {
						t.Errorf("%s %s: needs a token but does not document 401", method, tpl)
					}
				}
			}
		}
	})

	t.Run("routes match paths", func(t *testing.T) {
		documented := map[string]bool{}
		for tpl, item := range s.doc["paths"].(map[string]any) {
			for method := range item.(map[string]any) {
				if method != "parameters" {
					documented[strings.ToUpper(method)+" "+tpl] = true
				}
			}
		}
		registered := map[string]bool{}
		for _, r := range registeredRoutes(t) {
			if !strings.Contains(r, " ") {
				continue // the catch-all answering unknown endpoints with a 404 problem
			}
			registered[r] = true
			if !documented[r] {
				t.Errorf("route %q is registered but not in openapi.json", r)
			}
		}
		for d := range documented {
			if !registered[d] {
				t.Errorf("operation %q is in openapi.json but not registered", d)
			}
		}
		if len(registered) < 11 {
			t.Errorf("only %d routes found in api.go: %v", len(registered), slices.Sorted(maps.Keys(registered)))
		}
	})

	t.Run("vocabularies match the domain", func(t *testing.T) {
		props := s.doc["components"].(map[string]any)["schemas"].(map[string]any)["Incident"].(map[string]any)["properties"].(map[string]any)
		for field, want := range domainEnums() {
			got := enumOf(props, field)
			if !slices.Equal(got, want) {
				t.Errorf("Incident.%s enum = %v, want %v", field, got, want)
			}
		}
	})
}

// TestOpenAPIValidatorRejects makes sure the validator is not vacuous: bodies that break the
// document are reported.
func TestOpenAPIValidatorRejects(t *testing.T) {
	good := `{"ref":"INC-2026-00001","title":"t","nature":"n","systems":"","people":"","discovery":"",
		"reporter":{"name":"","contact":"","relationship":"staff"},"channel":"api","occurred_at":null,
		"occurred_precision":"unknown","discovered_at":null,"reported_at":"2026-03-02T09:00:00Z","aware_at":null,
		"contained_at":null,"resolved_at":null,"closed_at":null,"class":"unknown","near_miss":false,
		"personal_data":"unknown","status":"new","owner":"","restricted":false,"exercise":false,"tags":[],
		"links":[],"version":1,"created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:00:00Z",
		"rsit_class":"","rsit_type":"","ico_type":"","severity":null,"tlp":"amber","pap":"amber","suggestion":null,
		"impact":{"confidentiality":{"affected":false,"note":""},"integrity":{"affected":false,"note":""},"availability":{"affected":false,"note":""}}}`
	json201 := http.Header{"Content-Type": {"application/json"}}
	problem := http.Header{"Content-Type": {"application/problem+json"}}
	cases := []struct {
		name   string
		method string
		path   string
		status int
		header http.Header
		body   string
		valid  bool
	}{
		{"valid incident", "POST", "/api/v1/incidents", 201, json201, good, true},
		{"missing required field", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"title":"t",`, "", 1), false},
		{"unknown field", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"title":"t",`, `"title":"t","secret":1,`, 1), false},
		{"bad enum", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"status":"new"`, `"status":"open"`, 1), false},
		{"bad date-time", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"reported_at":"2026-03-02T09:00:00Z"`, `"reported_at":"yesterday"`, 1), false},
		{"bad TLP", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"tlp":"amber"`, `"tlp":"white"`, 1), false},
		{"severity without rank", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `"severity":null`, `"severity":{"scheme":"ncsc-uk","category":"3"}`, 1), false},
		{"bad ref", "POST", "/api/v1/incidents", 201, json201, strings.Replace(good, `INC-2026-00001`, `42`, 1), false},
		{"undocumented status", "POST", "/api/v1/incidents", 409, problem, `{"type":"about:blank","title":"x","status":409}`, false},
		{"undocumented media type", "POST", "/api/v1/incidents", 201, http.Header{"Content-Type": {"text/html"}}, good, false},
		{"problem", "GET", "/api/v1/incidents/INC-2026-00001", 404, problem, `{"type":"about:blank","title":"Not found","status":404}`, true},
		{"problem without title", "GET", "/api/v1/incidents/INC-2026-00001", 404, problem, `{"type":"about:blank","status":404}`, false},
		{"catch-all 404", "GET", "/api/v1/nothing", 404, problem, `{"type":"about:blank","title":"Not found","status":404}`, true},
		{"unrouted 200", "GET", "/api/v1/nothing", 200, json201, `{}`, false},
		{"no content", "PUT", "/api/v1/incidents/INC-2026-00001/access/a@example.org", 204, http.Header{}, ``, true},
		{"content where none", "PUT", "/api/v1/incidents/INC-2026-00001/access/a@example.org", 204, http.Header{}, `{}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			checkResponse(rec, c.method, c.path, c.status, c.header, []byte(c.body))
			if rec.failed == c.valid {
				t.Errorf("valid = %v, validator said %v", c.valid, rec.msgs)
			}
		})
	}
}

// recordingTB captures failures instead of failing, to test the validator itself.
type recordingTB struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.TB.FailNow()
}

// domainEnums are the vocabularies the document must list, as the domain defines them.
func domainEnums() map[string][]string {
	return map[string][]string{
		"class":              domain.TriageClasses,
		"personal_data":      domain.Tristates,
		"channel":            domain.Channels,
		"occurred_precision": domain.Precisions,
		"status":             domain.Statuses,
		"tlp":                markingValues(taxonomy.TLPLevels()),
		"pap":                markingValues(taxonomy.PAPLevels()),
	}
}

func markingValues(ms []taxonomy.Marking) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value
	}
	return out
}

func enumOf(props map[string]any, field string) []string {
	raw, _ := props[field].(map[string]any)["enum"].([]any)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i], _ = v.(string)
	}
	return out
}
