package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/storetest"
)

var draftRE = regexp.MustCompile(`name="draft" value="([^"]*)"`)

// TestBreachQuestionnaireToDecision walks the breach questions without JavaScript to a
// result, then the DPO overrides it and an approver signs the decision off.
func TestBreachQuestionnaireToDecision(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			aware := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Minute)
			inc, err := e.svc.CreateIncident(context.Background(), e.svc.System(), domain.Patch{
				Title: domain.Opt[string]{Set: true, Value: "Client list e-mailed to the wrong A. Khan"}, Nature: domain.Opt[string]{Set: true, Value: "Misdirected e-mail"},
				PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
			if err != nil {
				t.Fatal(err)
			}
			base := "/incidents/" + inc.Ref + "/breach"
			handler := e.signedIn("handler@example.org")

			r := e.get(handler, "/incidents/"+inc.Ref)
			if !strings.Contains(r.body, `href="`+base+`/result"`) {
				t.Errorf("the incident page does not link to the breach assessment")
			}
			r = e.get(handler, base)
			if r.code != http.StatusOK || !strings.Contains(r.body, "Where the law applies") {
				t.Fatalf("first page: %d %s", r.code, r.body)
			}
			draft := func(r response) string {
				m := draftRE.FindStringSubmatch(r.body)
				if m == nil {
					t.Fatalf("no draft on the page: %s", r.body)
				}
				return html.UnescapeString(m[1])
			}
			answer := func(step string, prev response, form url.Values) response {
				form.Set("step", step)
				form.Set("draft", draft(prev))
				return e.post(handler, base, form)
			}
			// No law selected: the error summary links to the question and nothing is lost.
			r = answer("scope", r, url.Values{"role": {"controller"}, "personal_data": {"yes"}})
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<a href="#jurisdictions">Select at least one data protection law</a>`) {
				t.Fatalf("scope without a law: %d %s", r.code, r.body)
			}
			r = answer("scope", r, url.Values{"jurisdictions": {"UK"}, "role": {"controller"}, "personal_data": {"yes"}})
			if !strings.Contains(r.body, "The people affected") {
				t.Fatalf("people page: %d %s", r.code, r.body)
			}
			r = answer("people", r, url.Values{"subjects_count": {"thirty"}})
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#subjects_count"`) {
				t.Fatalf("bad count: %d %s", r.code, r.body)
			}
			r = answer("people", r, url.Values{"subjects_count": {"30"}, "count_is_estimate": {"no"}, "kinds": {"customers"}, "vulnerable": {"yes"}})
			if !strings.Contains(r.body, "Special category") {
				t.Fatalf("data page does not mark special categories: %s", r.body)
			}
			r = answer("data", r, url.Values{"categories": {"basic_identifiers", "contact", "health"}, "records": {"30"}, "volume_per_subject": {"single"}})
			r = answer("happened", r, url.Values{"conf_lost": {"yes"}, "exposure": {"known_recipients"}, "recipients": {"1"}, "exfiltration": {"unknown"},
				"recipient_bound": {"no"}, "recipient_deleted": {"unknown"}, "malicious": {"no"}, "actor": {"internal"}, "cause_description": {"e-mail to the wrong person"}})
			r = answer("protection", r, url.Values{"encryption": {"none"}, "mitigations": {"asked the recipient to delete\nrecalled the message"}})
			if !strings.Contains(r.body, "What could the data tell a third party") {
				t.Fatalf("harms page: %d %s", r.code, r.body)
			}
			r = answer("harms", r, url.Values{"harms": {"emotional_distress", "discrimination"}, "data_tells": {"support needs of 30 clients"}, "reason": {"first assessment"}})
			if r.code != http.StatusSeeOther || r.location != base+"/result" {
				t.Fatalf("saving: %d %s %s", r.code, r.location, r.body)
			}

			dpo := e.signedIn("dpo@example.org")
			r = e.get(dpo, base+"/result")
			for _, want := range []string{"Breach assessment: ", "three questions", "Data processing context (DPC)", "(UK time)", "Why", "Record the decision", "Unknowns that drove the answer", "support needs"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("result page lacks %q", want)
				}
			}
			// Unknowns are named in plain English, never as the engine's field paths.
			if !strings.Contains(r.body, "<li>whether data was copied out</li>") {
				t.Error("result page does not name the unknown exfiltration in plain English")
			}
			if regexp.MustCompile(`<li>[a-z_]+\.[a-z_.]+</li>`).MatchString(r.body) {
				t.Errorf("result page lists a raw fact path: %s", regexp.MustCompile(`<li>[a-z_]+\.[a-z_.]+</li>`).FindString(r.body))
			}
			r = e.post(dpo, base+"/decision", url.Values{"choice": {"override"}, "notify_subjects": {"yes"}})
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#justification"`) {
				t.Fatalf("override without justification: %d %s", r.code, r.body)
			}
			r = e.post(dpo, base+"/decision", url.Values{"choice": {"override"}, "authority_UK": {"yes"}, "notify_subjects": {"yes"}, "justification": {"health data of vulnerable clients"}})
			if r.code != http.StatusSeeOther {
				t.Fatalf("override: %d %s", r.code, r.body)
			}
			approver := e.signedIn("approver@example.org")
			r = e.get(approver, base+"/result")
			if !strings.Contains(r.body, "waiting for approval") || !strings.Contains(r.body, "Do you approve this decision?") || !strings.Contains(r.body, "health data of vulnerable clients") {
				t.Fatalf("approver's page: %s", r.body)
			}
			if r = e.post(approver, base+"/approval", url.Values{"approve": {"yes"}}); r.code != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", r.code, r.body)
			}
			r = e.get(dpo, "/incidents/"+inc.Ref)
			if !strings.Contains(r.body, "Tell the people affected") {
				t.Errorf("the approved decision did not start the clock for telling people")
			}
			r = e.get(dpo, base+"/result")
			if !strings.Contains(r.body, "In force: an override") {
				t.Errorf("result does not show the override in force: %s", r.body)
			}
			// Answering again keeps the earlier version.
			r = e.get(handler, base)
			if !strings.Contains(r.body, `value="UK" checked`) {
				t.Errorf("the questions are not filled from the last assessment")
			}
		})
	}
}
