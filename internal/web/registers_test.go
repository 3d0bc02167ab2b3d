package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
)

func TestBreachLogAndReturnPages(t *testing.T) {
	e := newEnv(t, "sqlite")
	aware := time.Now().Add(-2 * time.Hour).UTC()
	for _, p := range []domain.Patch{
		{Title: domain.Opt[string]{Set: true, Value: "Payroll file sent to <b>the wrong</b> bank"}, Nature: domain.Opt[string]{Set: true, Value: "Misdirected"},
			PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}},
		{Title: domain.Opt[string]{Set: true, Value: "Fire drill data spill"}, Nature: domain.Opt[string]{Set: true, Value: "Exercise"},
			PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, Exercise: domain.Opt[bool]{Set: true, Value: true}},
	} {
		if _, err := e.svc.CreateIncident(context.Background(), e.svc.System(), p); err != nil {
			t.Fatal(err)
		}
	}
	dpo := e.signedIn("dpo@example.org")
	year := aware.Format("2006")
	r := e.get(dpo, "/breach-log")
	for _, want := range []string{"Payroll file sent to &lt;b&gt;the wrong&lt;/b&gt; bank", `href="/breach-log?format=csv"`, "Download PDF", `href="/breach-log"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("breach log page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "Fire drill") {
		t.Error("the breach log lists an exercise")
	}
	r = e.get(dpo, "/breach-log?from-day=31&from-month=2&from-year="+year)
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#from-day"`) || !strings.Contains(r.body, "must be a real date") {
		t.Errorf("impossible date: %d, want 422 with an error linking to the day field", r.code)
	}
	r = e.get(dpo, "/breach-log?format=csv&from-day=1&from-month=1&from-year="+year)
	if r.code != http.StatusOK || !strings.HasPrefix(r.body, "Reference,Title") || !strings.Contains(r.body, "Payroll file") {
		t.Errorf("CSV download: %d %q", r.code, r.body)
	}
	r = e.get(dpo, "/returns?quarter=2026-3")
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "YYYYQn") {
		t.Errorf("bad quarter: %d", r.code)
	}
	r = e.get(dpo, "/returns")
	if r.code != http.StatusOK || !strings.Contains(r.body, "Personal data breaches</th><td>1</td>") || !strings.Contains(r.body, "format=xlsx") {
		t.Errorf("return page: %d %s", r.code, r.body)
	}
	if !strings.Contains(r.body, `<a href="/breach-log">Breach log</a>`) {
		t.Error("a DPO's navigation lacks the breach log")
	}
	if r := e.get(e.signedIn("handler@example.org"), "/queue"); strings.Contains(r.body, `href="/breach-log"`) {
		t.Error("a handler's navigation links to the breach log they may not read")
	}
}
