package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// TestNoticesJourneyWithoutJavaScript: a DPO sets the organisation's details, decides the
// plan, completes the ICO pack, checks and sends letters, and records them, with forms alone;
// mistakes come back with the typed text kept and an error summary linking to the field.
func TestNoticesJourneyWithoutJavaScript(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	sys := e.svc.System()
	if err := e.svc.SetBreachSettings(ctx, sys, service.BreachSettings{}); err != nil {
		t.Fatal(err)
	}
	aware := time.Now().Add(-time.Hour)
	inc, err := e.svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Stolen laptop"},
		Nature: domain.Opt[string]{Set: true, Value: "A laptop was stolen"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		t.Fatal(err)
	}
	facts := `{"jurisdictions":["UK"],"personal_data":"yes","subjects":{"count":2},"data":{"categories":["health"]},"protection":{"encryption":"none"},
		"confidentiality":{"exposure":"unknown_recipients","exfiltration":"confirmed"},"cause":{"malicious":true}}`
	if _, err := e.svc.SaveAssessment(ctx, sys, inc.Ref, []byte(facts), nil, "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decide(ctx, sys, inc.Ref, true, service.BreachOverride{}, ""); err != nil {
		t.Fatal(err)
	}
	dpo := e.signedIn("dpo@example.org")
	base := "/incidents/" + inc.Ref + "/notices"
	expect := func(r response, code int, want ...string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("status %d, want %d: %s", r.code, code, r.body)
		}
		for _, w := range want {
			if !strings.Contains(r.body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
	}

	expect(e.post(dpo, "/notices/settings", url.Values{"controller": {"Example Care"}, "dpo_name": {""}, "dpo_contact": {"dpo@example.org"}}), 422,
		`href="#dpo_name"`, `value="Example Care"`)
	expect(e.post(dpo, "/notices/settings", url.Values{"controller": {"Example Care"}, "dpo_name": {"Dorothy Smith"}, "dpo_contact": {"dpo@example.org"}}), 303)
	expect(e.post(dpo, "/notices/templates/letter", url.Values{"subject": {"Hello {{.Name}}"}, "body": {"Dear {{.Name}}, {{.Shoe}}"}}), 422,
		"letter-body", "Dear {{.Name}}, {{.Shoe}}")

	expect(e.get(dpo, base), 200, "Notification plan", "Information Commissioner", "The police", "Notify now", "Record of notifications")
	expect(e.post(dpo, base+"/plan", url.Values{"decision-police": {"later"}, "reason-police": {""}}), 422, `href="#reason-police"`)
	expect(e.post(dpo, base+"/plan", url.Values{"decision-police": {"later"}, "reason-police": {"After the bank replies"}}), 303)
	expect(e.get(dpo, base+"?done=plan"), 200, "After the bank replies", "Decided by")

	pack := e.get(dpo, base+"/packs/ICO?phase=final")
	expect(pack, 200, "Notification to Information Commissioner", "Missing – needed now", "Paste-ready text", "1. First or subsequent notification",
		"SHA-256 of this text", "Record this notification once sent")
	expect(e.post(dpo, base+"/answers", url.Values{"authority": {"ICO"}, "phase": {"final"}, "answer-measures": {"Device wiped remotely"}}), 303)
	expect(e.get(dpo, base+"/packs/ICO?phase=final"), 200, "Device wiped remotely")
	expect(e.get(dpo, base+"?recipient=ICO&phase=final&clock=authority-72h%2FUK"), 200, `<option value="authority-72h/UK" selected>`, `<option value="final" selected>`)
	if r := e.get(dpo, base+"/packs/ICO/pdf?phase=final"); r.code != 200 || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pack PDF: %d %s", r.code, r.header.Get("Content-Type"))
	}

	expect(e.get(dpo, base+"/letters"), 200, "How a letter will read", "Dear Alex Example", "Dorothy Smith")
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("method", "email")
	mw.WriteField("per_minute", "30")
	mw.WriteField("what_we_are_doing", "We told the police.")
	mw.WriteField("consequences", "Someone could learn about your health.")
	fw, _ := mw.CreateFormFile("recipients", "people.csv")
	fw.Write([]byte("name,email\n<script>alert(1)</script>,eve@example.org\nBob,bob@example.org\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+base+"/letters", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := e.do(dpo, req)
	expect(r, 303)
	run := r.location
	page := e.get(dpo, run)
	expect(page, 200, "Check the letters before sending them", "Send 2 e-mails", "&lt;script&gt;alert(1)&lt;/script&gt;", "We told the police.")
	if strings.Contains(page.body, "<script>alert(1)") {
		t.Fatal("a recipient's name was not escaped")
	}
	handler := e.signedIn("handler@example.org")
	expect(e.post(handler, run+"/send", nil), 403)
	expect(e.post(dpo, run+"/send", nil), 303)
	expect(e.get(dpo, run), 200, "Letters are being sent", "pending: 2", "Record these letters as a notification")
	id := run[strings.LastIndex(run, "/")+1:]
	expect(e.post(dpo, base+"/record", url.Values{"clock": {"subjects/"}, "recipient": {"The people affected"}, "method": {"letter by e-mail"}, "letter_run": {id}, "people_count": {"many"}}), 422,
		`href="#people_count"`)
	expect(e.post(dpo, base+"/record", url.Values{"clock": {"subjects/"}, "recipient": {"The people affected"}, "method": {"letter by e-mail"}, "letter_run": {id}}), 303)
	expect(e.get(dpo, base+"?done=notified"), 200, "The notification has been recorded.", "<td>2</td>")
	expect(e.get(dpo, base+"/statement"), 200, "Public statement", "Record the statement as published")
}
