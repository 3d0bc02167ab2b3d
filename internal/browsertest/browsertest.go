// Package browsertest drives a headless Chromium from Go tests of Vigil's web
// UI. It is test-support code: import it only from _test.go files.
//
// A test starts a browser with [New], steps through pages as a person would
// (links, form fields, submit buttons), reads what the page shows, takes
// screenshots as test artifacts and checks each page against WCAG 2.2 AA with
// the embedded axe-core:
//
//	func TestReportForm(t *testing.T) {
//		srv := httptest.NewServer(handler)
//		t.Cleanup(srv.Close)
//
//		b := browsertest.New(t, browsertest.WithoutJavaScript())
//		b.Go(srv.URL + "/report")
//		b.CheckAccessibility("report-form")
//		b.Fill("#summary", "Laptop stolen from car")
//		b.Check("#severity-high")
//		b.Submit("form")
//		if got := b.Text("h1"); got != "Report sent" {
//			t.Errorf("heading = %q, want %q", got, "Report sent")
//		}
//	}
//
// Every method fails the test by itself, with the page URL, what it expected
// and the path of a screenshot, so a test reads as a list of steps with no
// error handling. Every step has its own time limit (10 s unless
// [WithTimeout] says otherwise), so a broken page fails fast rather than
// hanging the test run.
//
// Selectors are CSS selectors, matched with document.querySelector.
//
// Environment:
//
//   - VIGIL_CHROMIUM: path of the Chromium binary. Otherwise New looks for
//     /usr/bin/chromium, then chromium and chromium-browser on PATH.
//   - VIGIL_REQUIRE_BROWSER=1: fail, rather than skip, a test when no Chromium
//     is found. CI sets it so that browser tests cannot silently vanish.
//   - VIGIL_ARTIFACTS: directory for screenshots; each test gets a
//     subdirectory named after it. Without it, screenshots go to a temporary
//     directory that is removed after a passing test and kept (and logged)
//     after a failing one.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/chromedp/chromedp/kb"
)

// Environment variables that configure the harness; see the package comment.
const (
	EnvChromium       = "VIGIL_CHROMIUM"
	EnvRequireBrowser = "VIGIL_REQUIRE_BROWSER"
	EnvArtifacts      = "VIGIL_ARTIFACTS"
)

const (
	// DefaultTimeout limits each step (navigation, click, wait...). Pages
	// under test are served from the same machine, so anything slower than
	// this is a bug, and a short limit makes it show quickly.
	DefaultTimeout = 10 * time.Second

	// startTimeout limits the start of Chromium, which takes a few seconds
	// on a busy two-core machine.
	startTimeout = 60 * time.Second

	// closeTimeout limits how long the cleanup waits for Chromium to exit
	// before it kills it.
	closeTimeout = 10 * time.Second
)

// Option changes how New sets up the browser.
type Option func(*config)

type config struct {
	phone    bool
	noScript bool
	timeout  time.Duration
}

// The desktop viewport, in CSS pixels: a common laptop size.
const desktopWidth, desktopHeight = 1280, 900

// WithPhone emulates a phone: a 390×844 CSS-pixel portrait viewport with
// touch, a mobile user agent and device pixel ratio 3 (an iPhone 13), since
// many people report incidents from their phone. As on a real phone, a page
// without <meta name="viewport" content="width=device-width"> is laid out
// 980 pixels wide and shrunk. The default is a 1280×900 desktop window.
func WithPhone() Option {
	return func(c *config) { c.phone = true }
}

// WithoutJavaScript turns off JavaScript in the page, as for a person whose
// browser has it off or whose scripts failed to load. Every Vigil form must
// still work then. The harness itself still talks to the page through the
// DevTools protocol, so every method keeps working.
func WithoutJavaScript() Option {
	return func(c *config) { c.noScript = true }
}

// WithTimeout replaces DefaultTimeout as the limit of each step.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// Browser is one headless Chromium with one tab, bound to one test. It is not
// safe for concurrent use: a test steps through pages one at a time.
type Browser struct {
	t   testing.TB
	ctx context.Context // the tab; has no deadline, each step adds its own
	cfg config

	artifacts string // where screenshots go
	shots     int    // screenshots taken, to number and order the files
	lastURL   string // for failure messages when the page cannot be asked
	status    int64  // HTTP status of the last document load
}

// New starts a headless Chromium for the test and closes it when the test
// ends. Without a Chromium it skips the test, or fails it when
// VIGIL_REQUIRE_BROWSER=1.
func New(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	cfg := config{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}

	bin, err := findChromium()
	if err != nil {
		if os.Getenv(EnvRequireBrowser) == "1" {
			t.Fatalf("browsertest: %v (%s=1, so this fails rather than skips; install Debian's chromium package or set %s)",
				err, EnvRequireBrowser, EnvChromium)
		}
		t.Skipf("browsertest: skipping browser test: %v (install Debian's chromium package or set %s)", err, EnvChromium)
	}

	b := &Browser{t: t, cfg: cfg, artifacts: artifactsDir(t)}

	// The profile lives in the test's temporary directory, so each test gets
	// a fresh one: no cookies or cache leak between tests. t.TempDir's
	// removal runs after the cleanup below has stopped Chromium, as cleanups
	// run in reverse order.
	profile := t.TempDir()
	allocOpts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.Headless,
		// Test machines and CI containers run as root, where Chromium's
		// sandbox cannot start.
		chromedp.NoSandbox,
		// There is no GPU; without this Chromium probes for one and logs
		// errors on every start.
		chromedp.Flag("disable-gpu", true),
		// The machines have no network except a few package registries.
		// Without these flags Chromium keeps trying to reach Google
		// (component updates, sync, QUIC probes, field trials), which slows
		// it down and floods the closed network. Some are in chromedp's
		// defaults already; they are repeated here because they are
		// required, not incidental.
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b.ctx = ctx
	t.Cleanup(func() {
		// Close Chromium gracefully, so it exits before its profile
		// directory is removed; the allocator's cancel then waits for the
		// process and kills it if it is still there.
		cctx, cancel := context.WithTimeout(ctx, closeTimeout)
		defer cancel()
		if err := chromedp.Cancel(cctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("browsertest: closing Chromium: %v", err)
		}
		cancelTab()
		cancelAlloc()
	})

	// The viewport is set by emulation rather than left to --window-size,
	// which in headless mode still subtracts room for a browser toolbar
	// (1280×900 gives a 1280×757 page).
	setup := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(desktopWidth, desktopHeight)}
	if cfg.phone {
		setup = []chromedp.Action[chromedp.Void]{chromedp.Emulate(device.IPhone13)}
	}
	if cfg.noScript {
		setup = append(setup, setScriptsDisabled(true))
	}
	// The first Do starts Chromium, and binds the browser's life to the
	// context it is given, so it must get the tab context itself, with no
	// deadline. The start is limited from outside instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, setup...) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("browsertest: starting %s: %v", bin, err)
		}
	case <-time.After(startTimeout):
		t.Fatalf("browsertest: %s did not start within %s", bin, startTimeout)
	}
	return b
}

// findChromium returns the Chromium binary to use.
func findChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		// No fallback to the search: the caller asked for this binary, and
		// a test run with another one would mislead.
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%s is not an executable: %v", EnvChromium, p, err)
		}
		return found, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", errors.New("no Chromium found (looked for /usr/bin/chromium, chromium and chromium-browser)")
}

// artifactsDir returns the directory for the test's screenshots.
func artifactsDir(t testing.TB) string {
	if root := os.Getenv(EnvArtifacts); root != "" {
		dir := filepath.Join(root, safeName(t.Name()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("browsertest: creating artifacts directory: %v", err)
		}
		return dir
	}
	dir := t.TempDir()
	// t.TempDir is removed when the test ends, which would take the
	// screenshot of a failure with it. Keep a copy when the test failed.
	// This cleanup is registered after t.TempDir's, so it runs before it.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
			return
		}
		keep, err := os.MkdirTemp("", "vigil-browsertest-"+safeName(t.Name())+"-")
		if err == nil {
			// CopyFS refuses to overwrite, so copy into a subdirectory
			// that does not exist yet.
			keep = filepath.Join(keep, "screenshots")
			err = os.CopyFS(keep, os.DirFS(dir))
		}
		if err != nil {
			t.Logf("browsertest: keeping screenshots of the failed test: %v", err)
			return
		}
		t.Logf("browsertest: test failed; screenshots kept in %s (set %s to choose the directory)", keep, EnvArtifacts)
	})
	return dir
}

// safeName makes s usable as one path element.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
	return strings.Trim(s, "._")
}

// setScriptsDisabled turns the page's JavaScript off or on. The setting
// belongs to the tab and outlives navigations.
func setScriptsDisabled(disabled bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: disabled})
		return err
	})
}

// step returns a context for one step, limited by the configured timeout.
func (b *Browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.cfg.timeout)
}

// fail ends the test with what went wrong, where, and a screenshot.
func (b *Browser) fail(action, want string, err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s", b.cfg.timeout)
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "browsertest: %s: want %s: %v\n  page: %s", action, want, err, b.pageURL())
	method, _, _ := strings.Cut(action, "(")
	if path, serr := b.screenshot("failure-" + method); serr != nil {
		fmt.Fprintf(&msg, "\n  screenshot: none (%v)", serr)
	} else {
		fmt.Fprintf(&msg, "\n  screenshot: %s", path)
	}
	b.t.Fatal(msg.String())
}

// pageURL returns the tab's URL, for messages. It asks the page with a short
// limit of its own, because the step's limit may have run out already.
func (b *Browser) pageURL() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	if u, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.lastURL = u
	}
	if b.lastURL == "" {
		return "(none yet)"
	}
	return b.lastURL
}

// loaded records the response of a document load.
func (b *Browser) loaded(resp *network.Response) {
	b.t.Helper()
	if resp == nil {
		return // a same-document navigation, such as a #fragment link
	}
	b.lastURL = resp.URL
	b.status = resp.Status
	if resp.Status >= 400 {
		// Not a failure by itself, as a test may visit an error page on
		// purpose, but it explains the failures that usually follow.
		b.t.Logf("browsertest: %s answered HTTP %d", resp.URL, resp.Status)
	}
}

// Status returns the HTTP status of the last page that Go, Click or Submit
// loaded, or 0 before the first.
func (b *Browser) Status() int {
	return int(b.status)
}

// Go loads url in the tab and waits until the page has loaded.
func (b *Browser) Go(url string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fail(fmt.Sprintf("Go(%q)", url), "the page to load", err)
	}
	b.loaded(resp)
}

// URL returns the URL of the page in the tab.
func (b *Browser) URL() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fail("URL()", "the page's URL", err)
	}
	b.lastURL = u
	return u
}

// HTML returns the markup of the whole page as the browser has it now (after
// any scripts ran, without the doctype).
func (b *Browser) HTML() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.fail("HTML()", "the page's markup", err)
	}
	return html
}

// Text returns the text that the first element matching selector shows
// (its innerText), without leading and trailing white space. It waits for
// the element to exist.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.fail(fmt.Sprintf("Text(%q)", selector), "an element matching it", err)
	}
	return strings.TrimSpace(text)
}

// WaitVisible waits until an element matching selector is visible.
func (b *Browser) WaitVisible(selector string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		b.fail(fmt.Sprintf("WaitVisible(%q)", selector), "a visible element matching it", err)
	}
}

// Click clicks the first visible element matching selector, with a real
// mouse click at its centre. When the click follows a link or submits a
// form, Click waits for the next page to load; otherwise it returns at once.
//
// A link or submit button whose navigation a script cancels makes Click time
// out, since it is waiting for a page that never comes.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	action := fmt.Sprintf("Click(%q)", selector)
	ctx, cancel := b.step()
	defer cancel()
	n, err := b.node(ctx, selector, chromedp.NodeVisible)
	if err != nil {
		b.fail(action, "a visible element matching it", err)
	}
	navigates, err := callOn[bool](ctx, n, navigatesJS)
	if err != nil {
		b.fail(action, "to inspect the element", err)
	}
	if !navigates {
		if err := chromedp.Do(ctx, chromedp.MouseClickNode(n)); err != nil {
			b.fail(action, "to click the element", err)
		}
		return
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.MouseClickNode(n))
	if err != nil {
		b.fail(action, "the next page to load after the click", err)
	}
	b.loaded(resp)
}

// navigatesJS tells whether clicking the element (or the link or button it
// is inside) loads a page in this tab.
const navigatesJS = `function() {
	const el = this.closest('a[href], button, input[type=submit], input[type=image]');
	if (!el) return false;
	if (el.tagName === 'A') {
		if ((el.target && el.target !== '_self') || el.hasAttribute('download')) return false;
		const to = new URL(el.href, document.baseURI), here = new URL(location.href);
		if (to.protocol === 'javascript:') return false;
		// A link to a fragment of this page only scrolls.
		return !(to.hash && to.origin === here.origin && to.pathname === here.pathname && to.search === here.search);
	}
	const submit = el.type === 'submit' || el.type === 'image';
	if (!submit || !el.form || el.disabled) return false;
	const target = el.formTarget || el.form.target;
	return !target || target === '_self';
}`

// Submit submits a form the way a person does, by clicking its submit
// button, so it works with JavaScript off (a script-only form fails here, as
// it would for a person without JavaScript). selector may match the form,
// whose first submit button is clicked, or a submit button. Submit waits for
// the next page to load.
func (b *Browser) Submit(selector string) {
	b.t.Helper()
	action := fmt.Sprintf("Submit(%q)", selector)
	ctx, cancel := b.step()
	defer cancel()
	n, err := b.node(ctx, selector)
	if err != nil {
		b.fail(action, "a form or submit button matching it", err)
	}
	kind, err := callOn[submitKind](ctx, n, submitKindJS)
	if err == nil && kind.Problem != "" {
		err = errors.New(kind.Problem)
	}
	if err != nil {
		b.fail(action, "a form or submit button", err)
	}
	if kind.Form {
		n, err = b.node(ctx, submitButtons, chromedp.FromNode(n), chromedp.NodeVisible)
		if err != nil {
			b.fail(action, "a visible submit button in the form", err)
		}
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.MouseClickNode(n))
	if err != nil {
		b.fail(action, "the next page to load after submitting", err)
	}
	b.loaded(resp)
}

// submitKind is what submitKindJS finds.
type submitKind struct {
	Form    bool   `json:"form"`    // the element is a form, not a button
	Problem string `json:"problem"` // why it cannot be submitted, or ""
}

// submitButtons matches the controls that submit a form when clicked.
const submitButtons = `button:not([type]), button[type=submit], input[type=submit], input[type=image]`

// submitKindJS tells whether the element is a form or a submit button that
// can submit its form, and if neither, why.
const submitKindJS = `function() {
	const tag = '<' + this.tagName.toLowerCase() + '>';
	if (this.tagName === 'FORM') {
		const btn = this.querySelector(` + "`" + submitButtons + "`" + `);
		if (!btn) return {form: true, problem: 'the form has no submit button, so it cannot be sent without JavaScript'};
		if (btn.disabled) return {form: true, problem: 'the form\'s first submit button is disabled'};
		return {form: true, problem: ''};
	}
	if (!(this.type === 'submit' || this.type === 'image') || !['BUTTON', 'INPUT'].includes(this.tagName)) {
		return {form: false, problem: 'found ' + tag + ', which is neither a form nor a submit button'};
	}
	if (!this.form) return {form: false, problem: 'the submit button is not in a form'};
	if (this.disabled) return {form: false, problem: 'the submit button is disabled'};
	return {form: false, problem: ''};
}`

// Fill replaces the value of the text field (input or textarea) matching
// selector with value, as typed text: the page gets input events.
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	action := fmt.Sprintf("Fill(%q, %q)", selector, value)
	ctx, cancel := b.step()
	defer cancel()
	n, err := b.node(ctx, selector, chromedp.NodeVisible)
	if err != nil {
		b.fail(action, "a visible text field matching it", err)
	}
	problem, err := callOn[string](ctx, n, fillableJS)
	if err == nil && problem != "" {
		err = errors.New(problem)
	}
	if err != nil {
		b.fail(action, "a text field", err)
	}
	// Focus the field and select its old value, so that the new text
	// replaces it.
	_, err = callOn[chromedp.Void](ctx, n, `function() { this.focus(); this.select(); }`)
	if err == nil {
		if value == "" {
			err = chromedp.Do(ctx, chromedp.KeyEvent(kb.Backspace))
		} else {
			// InsertText enters the whole value at once, as a paste or
			// an input method does: much faster than one key event per
			// character, with the same input events for the page.
			err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: value})
				return err
			}))
		}
	}
	if err != nil {
		b.fail(action, "to type into the field", err)
	}
	got, err := callOn[string](ctx, n, `function() { return this.value; }`)
	if err != nil {
		b.fail(action, "to read the field back", err)
	}
	if got != value {
		b.fail(action, fmt.Sprintf("the field to hold %q", value),
			fmt.Errorf("it holds %q (a maxlength, a pattern or a script may have changed it)", got))
	}
}

// fillableJS tells why the element cannot take typed text, or "" if it can.
const fillableJS = `function() {
	const tag = '<' + this.tagName.toLowerCase() + '>';
	const notText = ['checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'file', 'hidden', 'range', 'color'];
	if (this.tagName === 'SELECT') return 'found <select>; use Select';
	if (this.tagName === 'INPUT' && notText.includes(this.type)) {
		return 'found <input type=' + this.type + '>, which takes no text' + (['checkbox', 'radio'].includes(this.type) ? '; use Check' : '');
	}
	if (this.tagName !== 'INPUT' && this.tagName !== 'TEXTAREA') return 'found ' + tag + ', which is not a text field';
	if (this.disabled) return 'the field is disabled';
	if (this.readOnly) return 'the field is read-only';
	return '';
}`

// Select chooses the option of the <select> matching selector whose value,
// or else whose visible text, is value. The page gets input and change
// events, as when a person chooses.
func (b *Browser) Select(selector, value string) {
	b.t.Helper()
	action := fmt.Sprintf("Select(%q, %q)", selector, value)
	ctx, cancel := b.step()
	defer cancel()
	n, err := b.node(ctx, selector, chromedp.NodeVisible)
	if err != nil {
		b.fail(action, "a visible <select> matching it", err)
	}
	problem, err := callOn[string](ctx, n, selectJS, value)
	if err == nil && problem != "" {
		err = errors.New(problem)
	}
	if err != nil {
		b.fail(action, "an option with that value or text", err)
	}
}

// selectJS chooses the option, or tells why it cannot.
const selectJS = `function(want) {
	if (this.tagName !== 'SELECT') return 'found <' + this.tagName.toLowerCase() + '>, which is not a <select>';
	if (this.disabled) return 'the <select> is disabled';
	const opts = Array.from(this.options);
	const opt = opts.find(o => o.value === want) || opts.find(o => o.text.trim() === want);
	if (!opt) return 'no such option; the options are ' + opts.map(o => JSON.stringify(o.value) + ' (' + o.text.trim() + ')').join(', ');
	if (opt.disabled) return 'the option is disabled';
	this.focus();
	opt.selected = true;
	this.dispatchEvent(new Event('input', {bubbles: true}));
	this.dispatchEvent(new Event('change', {bubbles: true}));
	return '';
}`

// Check ticks the checkbox or chooses the radio button matching selector,
// with a real click, unless it is already checked. (GOV.UK styles draw their
// own box over the input; the click still reaches it, as a tap would.)
func (b *Browser) Check(selector string) {
	b.t.Helper()
	action := fmt.Sprintf("Check(%q)", selector)
	ctx, cancel := b.step()
	defer cancel()
	n, err := b.node(ctx, selector, chromedp.NodeVisible)
	if err != nil {
		b.fail(action, "a visible checkbox or radio button matching it", err)
	}
	state, err := callOn[string](ctx, n, checkStateJS)
	if err == nil && state != "checked" && state != "unchecked" {
		err = errors.New(state)
	}
	if err != nil {
		b.fail(action, "a checkbox or radio button", err)
	}
	if state == "checked" {
		return
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickNode(n)); err != nil {
		b.fail(action, "to click it", err)
	}
	state, err = callOn[string](ctx, n, checkStateJS)
	if err == nil && state != "checked" {
		err = errors.New("it is still not checked after a click; is another element covering it?")
	}
	if err != nil {
		b.fail(action, "it to be checked", err)
	}
}

// checkStateJS returns "checked" or "unchecked", or why the element is not a
// checkbox or radio button that can be clicked.
const checkStateJS = `function() {
	if (this.tagName !== 'INPUT' || !['checkbox', 'radio'].includes(this.type)) {
		return 'found <' + this.tagName.toLowerCase() + (this.type ? ' type=' + this.type : '') + '>, which is not a checkbox or radio button';
	}
	if (this.disabled) return 'it is disabled';
	return this.checked ? 'checked' : 'unchecked';
}`

// Screenshot saves a PNG of the whole page (not only the viewport) in the
// artifacts directory, logs its path and returns it. name becomes part of
// the file name; files are numbered in the order they were taken.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	path, err := b.screenshot(name)
	if err != nil {
		// Not b.fail, which would try another screenshot.
		b.t.Fatalf("browsertest: Screenshot(%q): %v\n  page: %s", name, err, b.pageURL())
	}
	b.t.Logf("browsertest: screenshot %s", path)
	return path
}

// screenshot saves a full-page PNG and returns its path.
func (b *Browser) screenshot(name string) (string, error) {
	// A limit of its own: this also runs after a step ran out of time.
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		return "", err
	}
	b.shots++
	path := filepath.Join(b.artifacts, fmt.Sprintf("%03d-%s.png", b.shots, safeName(name)))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// node waits for the first element matching the CSS selector and returns it.
// opts are chromedp query options, such as chromedp.NodeVisible.
func (b *Browser) node(ctx context.Context, selector string, opts ...chromedp.QueryOption) (*chromedp.Node, error) {
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(selector), opts...))
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no element matches %q", selector)
	}
	return nodes[0], nil
}

// callOn calls the JavaScript function fn with the node as this, and
// decodes its result into T. It works with the page's JavaScript off too,
// since the DevTools protocol runs it and not the page.
func callOn[T any](ctx context.Context, n *chromedp.Node, fn string, args ...any) (T, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (T, error) {
		var zero T
		obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: n.NodeID})
		if err != nil {
			return zero, err
		}
		defer func() {
			// Let the page collect the handle; this fails harmlessly
			// when the call navigated away.
			_, _ = cdp.Call(ctx, t, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.Object.ObjectID})
		}()
		return chromedp.CallFunctionOn[T](fn, func(p *runtime.CallFunctionOnParams) {
			p.ObjectID = obj.Object.ObjectID
		}, args...)(ctx, t)
	})
}
