package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/browsertest"
	"github.com/vigil-ir/vigil/internal/domain"
)

// TestBreachQuestionnaireInBrowser walks the breach assessment questionnaire in headless
// Chromium with JavaScript off, checking every page with axe-core, through to the result and
// the DPO's decision.
func TestBreachQuestionnaireInBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	aware := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Minute)
	inc, err := e.svc.CreateIncident(context.Background(), e.svc.System(), domain.Patch{
		Title: domain.Opt[string]{Set: true, Value: "Client list e-mailed to the wrong A. Khan"}, Nature: domain.Opt[string]{Set: true, Value: "Misdirected e-mail"},
		PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, browsertest.WithoutJavaScript())
	b.Go(e.srv.URL + "/signin")
	b.Fill("#email", "dpo@example.org")
	b.Fill("#password", password)
	b.Submit("form")
	b.Go(e.srv.URL + "/incidents/" + inc.Ref + "/breach")
	pick := func(name, value string) { b.Check(`input[name="` + name + `"][value="` + value + `"]`) }
	fill := func(name, value string) { b.Fill(`[name="`+name+`"]`, value) }
	next := func(page string) {
		b.CheckAccessibility("breach-" + page)
		b.Click(`main button[type="submit"]:not([name="back"])`)
	}
	pick("jurisdictions", "UK")
	pick("role", "controller")
	pick("personal_data", "yes")
	next("scope")
	fill("subjects_count", "30")
	pick("count_is_estimate", "no")
	pick("kinds", "customers")
	pick("vulnerable", "yes")
	next("people")
	pick("categories", "basic_identifiers")
	pick("categories", "contact")
	pick("categories", "health")
	fill("records", "30")
	pick("volume_per_subject", "single")
	next("data")
	pick("conf_lost", "yes")
	pick("exposure", "known_recipients")
	fill("recipients", "1")
	pick("exfiltration", "confirmed")
	pick("recipient_bound", "no")
	pick("recipient_deleted", "unknown")
	pick("malicious", "no")
	pick("actor", "internal")
	fill("cause_description", "e-mail to the wrong person")
	next("happened")
	pick("encryption", "none")
	next("protection")
	pick("harms", "emotional_distress")
	fill("data_tells", "support needs of 30 clients")
	fill("reason", "first assessment")
	next("harms")
	b.CheckAccessibility("breach-result")
	body := b.Text("main")
	for _, want := range []string{"ENISA", "ICO"} {
		if !strings.Contains(body, want) {
			t.Fatalf("result page lacks %q: %s", want, body)
		}
	}
}
