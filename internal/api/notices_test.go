package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// lettersForm builds the multipart body of POST …/letters.
func lettersForm(t *testing.T, csv string, fields map[string]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("recipients", "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(csv))
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// TestNoticesAPI walks the notices endpoints end to end on both engines: settings, the plan,
// packs in every format with their completeness check, answers, templates, a letter run from
// upload to sending, its PDFs, and recording the run as a notification.
func TestNoticesAPI(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		ctx := context.Background()
		sys := e.svc.System()
		if err := e.svc.SetBreachSettings(ctx, sys, service.BreachSettings{}); err != nil {
			t.Fatal(err)
		}
		aware := t0.Add(-10 * time.Hour)
		e.createDirect(t, "laptop", "handler", domain.Patch{PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
			AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
		ref := e.refs["laptop"]
		facts := `{"jurisdictions":["UK","JE"],"personal_data":"yes","role":"controller","occurred_at":"2026-03-01T20:00:00Z","aware_at":"2026-03-01T23:00:00Z",
			"subjects":{"count":40},"data":{"categories":["contact","financial"],"records":40},"protection":{"encryption":"none"},
			"confidentiality":{"exposure":"unknown_recipients","exfiltration":"confirmed"},"cause":{"malicious":true},"mitigations":["Cards cancelled"]}`
		if _, err := e.svc.SaveAssessment(ctx, sys, ref, []byte(facts), []byte(`{"harms":["financial_loss"],"how_it_happened":"Phishing"}`), "first"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Decide(ctx, sys, ref, true, service.BreachOverride{}, ""); err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/incidents/" + ref

		// The DPO is not set yet: every pack says the contact is needed now.
		r := e.do(t, req{method: "GET", path: base + "/packs/joic", as: "auditor"})
		if r.status != 200 || r.get("completeness.ready") != false || r.get("authority") != "JOIC" {
			t.Fatalf("pack before settings: %d %s", r.status, r.body)
		}
		settings := map[string]any{"controller": "Example Ltd", "dpo_name": "Dorothy Smith", "dpo_contact": "dpo@example.org", "insurers": []string{"Cyber Mutual"}}
		if r := e.do(t, req{method: "PUT", path: "/api/v1/notice-settings", as: "handler", body: settings}); r.status != 403 {
			t.Fatalf("handler changed notice settings: %d", r.status)
		}
		if r := e.do(t, req{method: "PUT", path: "/api/v1/notice-settings", as: "dpo", body: map[string]any{"controller": ""}}); r.status != 422 {
			t.Fatalf("empty settings: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "PUT", path: "/api/v1/notice-settings", as: "dpo", body: settings}); r.status != 200 || r.get("dpo_name") != "Dorothy Smith" {
			t.Fatalf("settings: %d %s", r.status, r.body)
		}

		for _, tc := range []struct {
			path   string
			status int
			ct     string
			want   string
		}{
			{base + "/packs/ICO?phase=initial", 200, "application/json", `"ready":true`},
			{base + "/packs/ICO?phase=final", 200, "application/json", `"need":"now"`},
			{base + "/packs/JOIC?format=text", 200, "text/plain; charset=utf-8", "1. Name of the data controller\nExample Ltd\n"},
			{base + "/packs/JOIC?format=html", 200, "text/html; charset=utf-8", "<h2>Name of the data controller</h2>"},
			{base + "/packs/JOIC?format=pdf&phase=follow_up", 200, "application/pdf", "%PDF-"},
			{base + "/packs/XYZ", 404, "application/problem+json", "Not found"},
			{base + "/packs/ICO?phase=second", 400, "application/problem+json", "phase"},
			{base + "/packs/ICO?format=docx", 400, "application/problem+json", "format"},
			{"/api/v1/incidents/INC-1999-00001/packs/ICO", 404, "application/problem+json", "Not found"},
		} {
			r := e.do(t, req{method: "GET", path: tc.path, as: "handler"})
			if r.status != tc.status || r.header.Get("Content-Type") != tc.ct || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("GET %s: %d %s, want %d %s containing %q:\n%s", tc.path, r.status, r.header.Get("Content-Type"), tc.status, tc.ct, tc.want, truncate(r.body))
			}
		}

		// Answers fill gaps; unknown questions are refused by name.
		if r := e.do(t, req{method: "PUT", path: base + "/pack-answers", as: "handler", body: map[string]any{"answers": map[string]string{"shoe_size": "9"}}}); r.status != 422 || !strings.Contains(string(r.body), "answers.shoe_size") {
			t.Fatalf("unknown answer: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "PUT", path: base + "/pack-answers", as: "auditor", body: map[string]any{"answers": map[string]string{}}}); r.status != 403 {
			t.Fatalf("auditor answered: %d", r.status)
		}
		if r := e.do(t, req{method: "PUT", path: base + "/pack-answers", as: "handler", body: map[string]any{"answers": map[string]string{"consequences": "Money taken from accounts"}}}); r.status != 204 {
			t.Fatalf("answers: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "GET", path: base + "/packs/ICO?format=text&phase=final", as: "handler"}); !strings.Contains(string(r.body), "Money taken from accounts") {
			t.Fatalf("the answer is not in the pack:\n%s", r.body)
		}

		// The plan: suggestions, and a decision against one needs a reason.
		r = e.do(t, req{method: "GET", path: base + "/notification-plan", as: "auditor"})
		if r.status != 200 || r.get("items.0.id") != "authority:ICO" || r.get("items.0.decision") != "now" {
			t.Fatalf("plan: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "PUT", path: base + "/notification-plan", as: "handler", body: map[string]any{"parties": []map[string]string{{"party": "police", "decision": "not"}}}}); r.status != 422 {
			t.Fatalf("decision without reason: %d %s", r.status, r.body)
		}
		r = e.do(t, req{method: "PUT", path: base + "/notification-plan", as: "handler", body: map[string]any{"parties": []map[string]string{{"party": "police", "decision": "not", "reason": "Action Fraud told by the bank"}}}})
		if r.status != 200 || !strings.Contains(string(r.body), `"reason":"Action Fraud told by the bank"`) || !strings.Contains(string(r.body), `"edited_by":"handler`) {
			t.Fatalf("plan edit: %d %s", r.status, r.body)
		}

		// Templates: checked when saved, versioned.
		if r := e.do(t, req{method: "PUT", path: "/api/v1/letter-templates/letter", as: "handler", body: map[string]string{"subject": "s", "body": "b"}}); r.status != 403 {
			t.Fatalf("handler edited a template: %d", r.status)
		}
		if r := e.do(t, req{method: "PUT", path: "/api/v1/letter-templates/letter", as: "dpo", body: map[string]string{"subject": "Hello", "body": "Dear {{.Name}}, {{.Password}}"}}); r.status != 422 || !strings.Contains(string(r.body), "Password") {
			t.Fatalf("bad template: %d %s", r.status, r.body)
		}
		r = e.do(t, req{method: "GET", path: "/api/v1/letter-templates/letter", as: "auditor"})
		if r.status != 200 || r.get("current.version") != float64(0) {
			t.Fatalf("default template: %d %s", r.status, r.body)
		}
		body := r.get("current.body").(string) + "\n\nAccount: {{.Fields.account}}"
		if r := e.do(t, req{method: "PUT", path: "/api/v1/letter-templates/letter", as: "admin", body: map[string]string{"subject": "About your account {{.Fields.account}}", "body": body}}); r.status != 201 || r.get("version") != float64(1) {
			t.Fatalf("template save: %d %s", r.status, r.body)
		}

		// Letters: a bad file is refused row by row; a good one becomes a draft.
		ct, form := lettersForm(t, "name,email,account\nAnn,ann@example.org,A-1\nBob,not-an-email,A-2\n", map[string]string{"method": "email"})
		r = e.do(t, req{method: "POST", path: base + "/letters", as: "handler", body: form, header: map[string]string{"Content-Type": ct}})
		if r.status != 422 || !strings.Contains(string(r.body), "Row 3, email") {
			t.Fatalf("bad CSV: %d %s", r.status, r.body)
		}
		ct, form = lettersForm(t, "\ufeffname,email,account\nAnn,ann@example.org,A-1\n\"<b>{{.DPOName}}</b>\",eve@example.org,A-2\n", map[string]string{"method": "email", "per_minute": "30"})
		r = e.do(t, req{method: "POST", path: base + "/letters", as: "handler", body: form, header: map[string]string{"Content-Type": ct}})
		if r.status != 201 || r.get("run.state") != "draft" || r.get("run.recipients") != float64(2) || !strings.Contains(r.get("preview.text").(string), "Account: A-1") {
			t.Fatalf("draft: %d %s", r.status, r.body)
		}
		runNo := r.get("run.id")
		run := fmt.Sprint(runNo)
		if r := e.do(t, req{method: "POST", path: base + "/letters/" + run + "/send", as: "handler"}); r.status != 403 {
			t.Fatalf("handler sent letters: %d", r.status)
		}
		r = e.do(t, req{method: "POST", path: base + "/letters/" + run + "/send", as: "dpo"})
		if r.status != 200 || r.get("run.state") != "sending" || r.get("counts.pending") != float64(2) {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "POST", path: base + "/letters/" + run + "/send", as: "dpo"}); r.status != 422 {
			t.Fatalf("sent twice: %d", r.status)
		}
		r = e.do(t, req{method: "GET", path: base + "/letters/" + run + "/pdf", as: "handler"})
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("letters PDF: %d %s", r.status, r.header)
		}
		r = e.do(t, req{method: "GET", path: base + "/letters/" + run + "/pdf?layout=zip", as: "handler"})
		if zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body))); r.status != 200 || err != nil || len(zr.File) != 2 {
			t.Fatalf("letters zip: %d %v", r.status, err)
		}
		if r := e.do(t, req{method: "GET", path: base + "/letters/" + run, as: "auditor"}); r.status != 403 {
			t.Fatalf("auditor read the recipients: %d", r.status)
		}
		if r := e.do(t, req{method: "GET", path: base + "/letters/999", as: "handler"}); r.status != 404 {
			t.Fatalf("no such run: %d", r.status)
		}
		if r := e.do(t, req{method: "GET", path: base + "/letters", as: "handler"}); r.status != 200 || r.get("items.0.state") != "sending" {
			t.Fatalf("runs: %d %s", r.status, r.body)
		}

		// Recording the run meets the clock for telling people, with the run's count and hash.
		r = e.do(t, req{method: "POST", path: base + "/notifications", as: "handler", body: map[string]any{"rule": "subjects", "recipient": "The people affected", "method": "letter by e-mail", "letter_run": runNo}})
		if r.status != 201 || r.get("people_count") != float64(2) || len(fmt.Sprint(r.get("document_sha256"))) != 64 {
			t.Fatalf("record run: %d %s", r.status, r.body)
		}
		r = e.do(t, req{method: "POST", path: base + "/notifications", as: "handler", body: map[string]any{"rule": "authority-72h", "scope": "UK", "recipient": "ICO", "method": "online form",
			"reference": "ICO-123", "phase": "initial", "document_sha256": strings.Repeat("ab", 32)}})
		if r.status != 201 || r.get("phase") != "initial" {
			t.Fatalf("record ICO: %d %s", r.status, r.body)
		}
		if r := e.do(t, req{method: "POST", path: base + "/notifications", as: "handler", body: map[string]any{"recipient": "ICO", "method": "form", "phase": "second", "document_sha256": "xyz", "people_count": -1}}); r.status != 422 ||
			!strings.Contains(string(r.body), "phase") || !strings.Contains(string(r.body), "document_sha256") || !strings.Contains(string(r.body), "people_count") {
			t.Fatalf("bad notification: %d %s", r.status, r.body)
		}
		r = e.do(t, req{method: "GET", path: base + "/packs/ICO", as: "handler"})
		if !strings.Contains(string(r.body), "2 people notified") {
			t.Fatalf("the pack does not say the people were told:\n%s", r.body)
		}
		// Every change is in the incident's record of events.
		r = e.do(t, req{method: "GET", path: base + "/events", as: "approver"})
		for _, action := range []string{"notice.answers_changed", "notice.plan_changed", "letters.drafted", "letters.started", "notification.recorded"} {
			if !strings.Contains(string(r.body), `"action":"`+action+`"`) {
				t.Errorf("the record of events lacks %s", action)
			}
		}
		r = e.do(t, req{method: "GET", path: base + "/public-statement", as: "handler"})
		if r.status != 200 || len(r.header.Get("X-Document-SHA256")) != 64 || !strings.Contains(fmt.Sprint(r.get("text")), "Dorothy Smith") {
			t.Fatalf("public statement: %d %s", r.status, r.body)
		}
	})
}
