package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/browsertest"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
)

// TestNoticesPagesInBrowser checks every notices page with axe-core in headless Chromium
// with JavaScript off, including a form sent back with an error.
func TestNoticesPagesInBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	sys := e.svc.System()
	aware := time.Now().Add(-2 * time.Hour)
	inc, err := e.svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Stolen laptop"},
		Nature: domain.Opt[string]{Set: true, Value: "A laptop was stolen"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveAssessment(ctx, sys, inc.Ref, []byte(`{"jurisdictions":["UK","JE"],"personal_data":"yes"}`), nil, "first"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetNoticeSettings(ctx, sys, notice.Organisation{Controller: "Example Care", DPOName: "Dorothy Smith", DPOContact: "dpo@example.org"}); err != nil {
		t.Fatal(err)
	}
	run, err := e.svc.DraftLetters(ctx, sys, inc.Ref, service.LetterRequest{Method: service.MethodPDF, Recipients: strings.NewReader("name,address_1,postcode\nAnn,1 High St,JE2 3AB\n"),
		Content: notice.Content{Consequences: "c", WhatWeAreDoing: "m", WhatData: "d"}})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, browsertest.WithoutJavaScript())
	b.Go(e.srv.URL + "/signin")
	b.Fill("#email", "dpo@example.org")
	b.Fill("#password", password)
	b.Submit("form")
	base := e.srv.URL + "/incidents/" + inc.Ref + "/notices"
	for name, path := range map[string]string{
		"notices": base, "pack": base + "/packs/JOIC?phase=follow_up", "letters": base + "/letters",
		"run": base + "/letters/" + itoa(run.Run.ID), "statement": base + "/statement", "settings": e.srv.URL + "/notices/settings",
	} {
		b.Go(path)
		b.CheckAccessibility("notices-" + name)
	}
	b.Go(base)
	b.Check(`input[name="decision-police"][value="now"]`)
	b.Fill(`[name="reason-police"]`, "")
	b.Submit(`form[action$="/notices/plan"]`)
	b.CheckAccessibility("notices-plan-error")
	if !strings.Contains(b.Text("main"), "There is a problem") {
		t.Fatalf("no error summary: %s", b.Text("main"))
	}
}
