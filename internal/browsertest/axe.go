package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, injected into pages to audit them. See
// axe/README.md for its version and licence.
//
//go:embed axe/axe.min.js
var axeSource string

// axeTags are the axe-core rule tags that Audit runs: every WCAG 2.0, 2.1
// and 2.2 rule at levels A and AA, which is what Vigil promises to meet.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID          string          `json:"id"`     // rule id, such as "label" or "color-contrast"
	Impact      string          `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Help        string          `json:"help"`   // one line on what the rule wants
	HelpURL     string          `json:"helpUrl"`
	Description string          `json:"description"`
	Nodes       []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks the rule.
type ViolationNode struct {
	// Target is the CSS selector path to the element; an element inside a
	// shadow root or iframe has one selector per level.
	Target []string `json:"target"`
	// HTML is the start of the element's markup.
	HTML string `json:"html"`
	// FailureSummary says what to fix.
	FailureSummary string `json:"failureSummary"`
}

// blocking tells whether a violation of this impact fails a test. Serious
// and critical ones keep some people from using the page at all; moderate
// and minor ones are logged, to be fixed but not to block a change.
func blocking(impact string) bool {
	return impact == "serious" || impact == "critical"
}

// CheckAccessibility audits the page with axe-core against WCAG 2.2 AA
// and fails the test if it finds serious or critical violations,
// listing each rule with the elements that break it. Moderate and minor ones
// are only logged. It first takes a screenshot named name, so that the
// report has the page beside it. Unlike the other methods it lets the test go
// on after violations, so that one run reports the problems of every page.
func (b *Browser) CheckAccessibility(name string) {
	b.t.Helper()
	shot := b.Screenshot(name)
	violations, err := b.Audit()
	if err != nil {
		b.fail(fmt.Sprintf("CheckAccessibility(%q)", name), "an axe-core audit", err)
	}
	var bad []Violation
	for _, v := range violations {
		if blocking(v.Impact) {
			bad = append(bad, v)
		} else {
			b.t.Logf("browsertest: CheckAccessibility(%q): %s violation %s: %s (%s)",
				name, v.Impact, v.ID, v.Help, strings.Join(targets(v, 5), ", "))
		}
	}
	if len(bad) == 0 {
		return
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "browsertest: CheckAccessibility(%q): %d serious or critical WCAG 2.2 AA violation(s)\n  page: %s\n  screenshot: %s",
		name, len(bad), b.pageURL(), shot)
	for _, v := range bad {
		fmt.Fprintf(&msg, "\n  - %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, t := range targets(v, 10) {
			fmt.Fprintf(&msg, "\n      %s", t)
		}
	}
	b.t.Error(msg.String())
}

// targets lists up to limit offending elements of v, one line each.
func targets(v Violation, limit int) []string {
	var out []string
	for i, n := range v.Nodes {
		if i == limit {
			out = append(out, fmt.Sprintf("and %d more", len(v.Nodes)-limit))
			break
		}
		out = append(out, fmt.Sprintf("%s  %s", strings.Join(n.Target, " >>> "), n.HTML))
	}
	return out
}

// Audit runs axe-core with the WCAG 2.2 AA rules (tags wcag2a, wcag2aa,
// wcag21a, wcag21aa and wcag22aa) on the page and returns every violation,
// of any impact. Most tests want CheckAccessibility; Audit is for tests that
// assert on the findings themselves.
//
// With WithoutJavaScript, Audit turns the page's JavaScript on while axe-core
// runs (axe needs timers and promises, which do not run otherwise) and off
// again after. The page's own scripts do not run then, as they were skipped
// when the page loaded, so the audit sees the page exactly as a person
// without JavaScript gets it.
func (b *Browser) Audit() ([]Violation, error) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if b.cfg.noScript {
		if err := chromedp.Do(ctx, setScriptsDisabled(false)); err != nil {
			return nil, fmt.Errorf("turning JavaScript on for axe-core: %w", err)
		}
		defer func() {
			// A fresh limit: the step's may have run out, and the
			// tab must not stay with JavaScript on.
			rctx, rcancel := context.WithTimeout(b.ctx, b.cfg.timeout)
			defer rcancel()
			if err := chromedp.Do(rctx, setScriptsDisabled(true)); err != nil {
				b.t.Errorf("browsertest: turning JavaScript off again after the audit: %v", err)
			}
		}()
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("injecting axe-core: %w", err)
		}
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return violations, nil
}

// axeRunJS runs axe-core and shapes its violations into Violation values.
// axe gives the target of an element in a shadow root as a nested array of
// selectors; it is flattened here so that Go gets one selector per level.
var axeRunJS = `axe.run(document, {
	runOnly: {type: 'tag', values: ` + jsStrings(axeTags) + `},
	resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact || '',
	help: v.help,
	helpUrl: v.helpUrl,
	description: v.description,
	nodes: v.nodes.map(n => ({
		target: n.target.flatMap(t => Array.isArray(t) ? t.map(String) : [String(t)]),
		html: n.html,
		failureSummary: n.failureSummary || '',
	})),
})))`

// jsStrings writes ss as a JavaScript array literal.
func jsStrings(ss []string) string {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = fmt.Sprintf("%q", s) // Go's quoting is valid JavaScript for these plain tags
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
