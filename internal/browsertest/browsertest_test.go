package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The pages below stand in for Vigil's web UI: small, server-rendered, and
// working without JavaScript.

const goodPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Report an incident</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Report an incident</h1>
<form method="post" action="/submit" novalidate>
  <p><label for="summary">Summary</label><br>
  <input id="summary" name="summary" type="text" value="old text"></p>
  <p><label for="details">What happened?</label><br>
  <textarea id="details" name="details" rows="3"></textarea></p>
  <p><label for="kind">Kind of incident</label><br>
  <select id="kind" name="kind">
    <option value="">Choose one</option>
    <option value="loss">Lost or stolen device</option>
    <option value="phish">Phishing email</option>
  </select></p>
  <fieldset>
    <legend>How severe is it?</legend>
    <p><input id="sev-low" name="severity" type="radio" value="low"> <label for="sev-low">Low</label></p>
    <p><input id="sev-high" name="severity" type="radio" value="high"> <label for="sev-high">High</label></p>
  </fieldset>
  <p><input id="personal" name="personal" type="checkbox" value="yes"> <label for="personal">Personal data is involved</label></p>
  <p><button type="submit">Send report</button></p>
</form>
<p><a href="/thanks?from=link">Skip to the end</a></p>
<p><button type="button" id="more">Show more</button></p>
<p id="more-text" hidden>More text</p>
<script>
document.getElementById('more').addEventListener('click', function () {
  setTimeout(function () { document.getElementById('more-text').hidden = false; }, 50);
});
</script>
</main>
</body>
</html>`

const badPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bad page</title></head>
<body>
<main>
<h1>Bad page</h1>
<form action="/submit" method="post"><input type="text" name="unlabelled"></form>
<p id="faint" style="color: #c8c8c8; background: #ffffff">This text is too faint to read.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==" width="40" height="40">
</main>
</body>
</html>`

// jsPage shows different text with and without JavaScript, and has a plain
// form that must work either way.
const jsPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Script test</title></head>
<body>
<main>
<h1>Script test</h1>
<p id="out">Shown without JavaScript.</p>
<script>document.getElementById('out').textContent = 'Written by JavaScript.';</script>
<form method="post" action="/submit">
  <p><label for="summary">Summary</label> <input id="summary" name="summary"></p>
  <p><button type="submit">Send</button></p>
</form>
</main>
</body>
</html>`

// newSite serves the test pages. POST /submit redirects to /thanks with the
// posted fields, as a Vigil form does (post, redirect, get).
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /good", page(goodPage))
	mux.Handle("GET /bad", page(badPage))
	mux.Handle("GET /js", page(jsPage))
	mux.Handle("GET /tall", page(`<!doctype html><html lang="en"><head><title>Tall</title></head>
<body><main><h1>Tall</h1><div style="height: 3000px">Long content</div></main></body></html>`))
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, "/thanks?"+r.PostForm.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /thanks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Report sent</title></head>
<body><main><h1>Report sent</h1><p id="result">%s</p></main></body></html>`, html.EscapeString(r.URL.RawQuery))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// recorder stands in for the test's testing.TB, to check what the harness
// reports without failing the real test. Fatal and Skip end the goroutine,
// as they do in a real test; run such steps with inGoroutine.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  string
	skip   string
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skip = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

// inGoroutine runs f where a Goexit ends only f.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func TestNewWithoutChromium(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-chromium"))

	t.Run("skips", func(t *testing.T) {
		t.Setenv(EnvRequireBrowser, "")
		rec := &recorder{TB: t}
		inGoroutine(func() { New(rec) })
		if !strings.Contains(rec.skip, "no-such-chromium") {
			t.Errorf("New did not skip with the bad path; skip message %q, fatal %q", rec.skip, rec.fatal)
		}
	})
	t.Run("fails when required", func(t *testing.T) {
		t.Setenv(EnvRequireBrowser, "1")
		rec := &recorder{TB: t}
		inGoroutine(func() { New(rec) })
		if !strings.Contains(rec.fatal, "no-such-chromium") || !strings.Contains(rec.fatal, EnvRequireBrowser) {
			t.Errorf("New did not fail with the bad path; fatal message %q, skip %q", rec.fatal, rec.skip)
		}
	})
}

func TestAccessibility(t *testing.T) {
	site := newSite(t)
	b := New(t)

	b.Go(site.URL + "/good")
	violations, err := b.Audit()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		if blocking(v.Impact) {
			t.Errorf("good page: %s violation %s: %s %v", v.Impact, v.ID, v.Help, targets(v, 5))
		}
	}
	b.CheckAccessibility("good")

	b.Go(site.URL + "/bad")
	violations, err = b.Audit()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]Violation{}
	for _, v := range violations {
		found[v.ID] = v
	}
	for id, target := range map[string]string{
		"label":          "input",
		"color-contrast": "#faint",
		"image-alt":      "img",
	} {
		v, ok := found[id]
		if !ok {
			t.Errorf("bad page: no %q violation; found %v", id, slices.Sorted(maps.Keys(found)))
			continue
		}
		if !blocking(v.Impact) {
			t.Errorf("bad page: %s has impact %q, want serious or critical", id, v.Impact)
		}
		if len(v.Nodes) == 0 || !strings.Contains(strings.Join(v.Nodes[0].Target, " "), target) {
			t.Errorf("bad page: %s points at %+v, want a target with %q", id, v.Nodes, target)
		}
	}

	// CheckAccessibility must fail the test on the bad page, and say what
	// is wrong and where.
	rec := &recorder{TB: t}
	b.t = rec
	inGoroutine(func() { b.CheckAccessibility("bad") })
	b.t = t
	if rec.fatal != "" {
		t.Fatalf("CheckAccessibility stopped the test: %s", rec.fatal)
	}
	if len(rec.errors) != 1 {
		t.Fatalf("CheckAccessibility on the bad page reported %d errors, want 1: %q", len(rec.errors), rec.errors)
	}
	msg := rec.errors[0]
	for _, want := range []string{"label (critical)", "color-contrast (serious)", "image-alt (critical)", "#faint", site.URL + "/bad", "screenshot: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("CheckAccessibility message lacks %q:\n%s", want, msg)
		}
	}
}

func TestFormAndNavigation(t *testing.T) {
	site := newSite(t)
	b := New(t)

	b.Go(site.URL + "/good")
	if got := b.Text("h1"); got != "Report an incident" {
		t.Errorf("heading = %q", got)
	}
	b.Fill("#summary", "Laptop stolen") // replaces "old text"
	b.Fill("#details", "From a car,\nin the evening.")
	b.Select("#kind", "Lost or stolen device") // by visible text
	b.Select("#kind", "loss")                  // by value
	b.Check("#sev-high")
	b.Check("#personal")
	b.Check("#personal") // already checked: stays checked
	b.Submit("form")

	if got := b.Text("h1"); got != "Report sent" {
		t.Errorf("after submit, heading = %q", got)
	}
	if u := b.URL(); !strings.HasPrefix(u, site.URL+"/thanks?") {
		t.Errorf("after submit, URL = %q", u)
	}
	if b.Status() != http.StatusOK {
		t.Errorf("after submit, status = %d", b.Status())
	}
	got, err := url.ParseQuery(b.Text("#result"))
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"summary":  {"Laptop stolen"},
		"details":  {"From a car,\r\nin the evening."}, // forms send CRLF
		"kind":     {"loss"},
		"severity": {"high"},
		"personal": {"yes"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posted %v, want %v", got, want)
	}

	// A link waits for the next page; a plain button does not, and
	// WaitVisible waits for what its script shows.
	b.Go(site.URL + "/good")
	b.Click("#more")
	b.WaitVisible("#more-text")
	b.Click("a[href^='/thanks']")
	if got := b.Text("#result"); got != "from=link" {
		t.Errorf("after the link, result = %q", got)
	}
	if !strings.Contains(b.HTML(), "<h1>Report sent</h1>") {
		t.Errorf("HTML() lacks the heading:\n%s", b.HTML())
	}

	// With JavaScript on, the script's text shows.
	b.Go(site.URL + "/js")
	if got := b.Text("#out"); got != "Written by JavaScript." {
		t.Errorf("with JavaScript, #out = %q", got)
	}

	checkPNG(t, b.Screenshot("desktop"), 1280, 900)
	b.Go(site.URL + "/tall")
	checkPNG(t, b.Screenshot("full-page"), 1280, 3000) // the whole page, not the viewport
}

// TestFailureMessage checks that a failing step names the step, the page and
// a screenshot, and fails within the step's time limit.
func TestFailureMessage(t *testing.T) {
	site := newSite(t)
	b := New(t, WithTimeout(time.Second))
	b.Go(site.URL + "/good")

	rec := &recorder{TB: t}
	b.t = rec
	start := time.Now()
	inGoroutine(func() { b.Click("#no-such-button") })
	took := time.Since(start)
	b.t = t

	if took > 5*time.Second {
		t.Errorf("the failing Click took %s with a 1s limit", took)
	}
	for _, want := range []string{`Click("#no-such-button")`, "timed out after 1s", "page: " + site.URL + "/good", "screenshot: "} {
		if !strings.Contains(rec.fatal, want) {
			t.Errorf("failure message lacks %q:\n%s", want, rec.fatal)
		}
	}
	_, path, ok := strings.Cut(rec.fatal, "screenshot: ")
	if !ok {
		t.Fatal("no screenshot path")
	}
	checkPNG(t, strings.TrimSpace(path), 1280, 900)

	// A form field of the wrong kind gives a message that says which.
	rec = &recorder{TB: t}
	b.t = rec
	inGoroutine(func() { b.Fill("#personal", "yes") })
	b.t = t
	if !strings.Contains(rec.fatal, "use Check") {
		t.Errorf("Fill on a checkbox: message %q does not point to Check", rec.fatal)
	}
}

func TestWithoutJavaScript(t *testing.T) {
	site := newSite(t)
	b := New(t, WithoutJavaScript())

	b.Go(site.URL + "/js")
	if got := b.Text("#out"); got != "Shown without JavaScript." {
		t.Errorf("without JavaScript, #out = %q", got)
	}

	// The audit turns JavaScript on for axe-core only: afterwards pages
	// load without it again.
	b.CheckAccessibility("no-js")
	b.Go(site.URL + "/js")
	if got := b.Text("#out"); got != "Shown without JavaScript." {
		t.Errorf("after an audit, #out = %q; JavaScript was left on", got)
	}

	b.Fill("#summary", "Sent without JavaScript")
	b.Submit("button")
	if got := b.Text("#result"); got != "summary=Sent+without+JavaScript" {
		t.Errorf("after submit, result = %q", got)
	}
}

func TestPhone(t *testing.T) {
	site := newSite(t)
	b := New(t, WithPhone())

	b.Go(site.URL + "/good")
	b.Fill("#summary", "Phone stolen")
	b.Check("#sev-low")
	b.Submit("form")
	if got := b.Text("#result"); !strings.Contains(got, "summary=Phone+stolen") || !strings.Contains(got, "severity=low") {
		t.Errorf("after submit on a phone, result = %q", got)
	}
	// 390 CSS pixels at device pixel ratio 3. (The thanks page has no
	// viewport meta tag, so a phone lays it out 980 pixels wide, as a real
	// one does; the form page has the tag.)
	b.Go(site.URL + "/good")
	checkPNG(t, b.Screenshot("phone"), 390*3, 844*3)
}

// checkPNG checks that path is a PNG image of the given width and at least
// the given height: a full-page screenshot of a short page has the height of
// the viewport.
func checkPNG(t *testing.T, path string, width, minHeight int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG (%d bytes)", path, len(data))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if cfg.Width != width || cfg.Height < minHeight {
		t.Errorf("%s is %dx%d, want %d wide and at least %d high", path, cfg.Width, cfg.Height, width, minHeight)
	}
}
