package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
)

// TestEveryRouteEveryRole walks every web and API route with every role, and nobody signed
// in, and checks that the route lets through exactly the roles docs/PERMISSIONS.md says. A
// route "lets through" when it answers anything but 401, 403, 404 or a redirect to sign in:
// a 422 or 409 from an allowed user means authorisation passed and validation spoke.
// Bodies are chosen so that refused users are refused by authorisation, not by validation.
// (POST /signin is open to all and tested with its lockout in TestSignInLockoutAndTiming.)
func TestEveryRouteEveryRole(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	sys := e.svc.System()
	aware := time.Now().Add(-time.Hour)
	inc, err := e.svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Open incident"},
		Nature: domain.Opt[string]{Set: true, Value: "routes"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		t.Fatal(err)
	}
	ref := inc.Ref
	att, err := e.svc.AddAttachment(ctx, sys, ref, "evidence.eml", "message/rfc822", strings.NewReader("From: x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveAssessment(ctx, sys, ref, []byte(`{"jurisdictions":["UK"],"personal_data":"yes"}`), nil, "first look"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetNoticeSettings(ctx, sys, notice.Organisation{Controller: "Org", DPOName: "D", DPOContact: "dpo@example.org"}); err != nil {
		t.Fatal(err)
	}
	run, err := e.svc.DraftLetters(ctx, sys, ref, service.LetterRequest{Method: service.MethodEmail, Recipients: strings.NewReader("name,email\nAnn,ann@example.org\n"),
		Content: notice.Content{WhatHappened: "w", WhatData: "d", Consequences: "c", WhatWeAreDoing: "m", WhatYouCanDo: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	runPath := "/letters/" + itoa(run.Run.ID)
	_, token, err := e.svc.SubmitReport(ctx, domain.Patch{Nature: domain.Opt[string]{Set: true, Value: "a report"}})
	if err != nil {
		t.Fatal(err)
	}
	e.addUser("victim@example.org", "Victim", "reporter")
	// A refused e-mail, so the quarantine has message 1 to download.
	if _, err := e.svc.ReceiveMail(ctx, service.InboundMail{Raw: []byte("no header"), Kind: service.IntakeIncident, Recipient: "security@example.org"}); err != nil {
		t.Fatal(err)
	}

	roles := []string{"anonymous", "reporter", "handler", "dpo", "approver", "auditor", "admin", "people"}
	web := map[string]*http.Client{"anonymous": e.client()}
	tokens := map[string]string{}
	for _, r := range roles[1:] {
		web[r] = e.signedIn(r + "@example.org")
		if tokens[r], err = e.svc.CreateToken(ctx, sys, r+"@example.org", "routes"); err != nil {
			t.Fatal(err)
		}
	}
	// The people-matters role reads incidents as handlers do, for context (docs/PERMISSIONS.md).
	const (
		everyone  = "anonymous reporter handler dpo approver auditor admin people"
		signedIn  = "reporter handler dpo approver auditor admin people"
		readers   = "handler dpo approver auditor admin people"
		updaters  = "handler dpo approver"
		deciders  = "dpo approver"
		approvers = "approver"
		admins    = "admin"
		creators  = "reporter handler dpo approver admin"
		peopleOK  = "approver people"
		// The organisation's notice details and letter templates: staff who prepare notices
		// or audit them; the people-matters role has no part in notices.
		noticeStaff = "handler dpo approver auditor admin"
		registers   = "dpo approver auditor admin"
	)
	// A pending suspension request (people matters) and a playbook task to address.
	hr, err := e.svc.Authenticate(ctx, tokens["people"])
	if err != nil {
		t.Fatal(err)
	}
	sus, err := e.svc.RequestApproval(ctx, hr, ref, approval.SuspendStaff, "Suspend for routes")
	if err != nil {
		t.Fatal(err)
	}
	act, err := e.svc.AddAction(ctx, sys, ref, service.ActionInput{Kind: "containment", Title: "Routes"})
	if err != nil {
		t.Fatal(err)
	}
	pbInc, err := e.svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Phish"}, Nature: domain.Opt[string]{Set: true, Value: "n"},
		ICOType: domain.Opt[string]{Set: true, Value: "phishing"}})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := e.svc.PlaybookTasks(ctx, sys, pbInc.Ref)
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no checklist to address: %v", err)
	}
	task := "/tasks/" + itoa(tasks[0].ID)
	pb1, pbAPI := "/incidents/"+pbInc.Ref, "/api/v1/incidents/"+pbInc.Ref
	var file bytes.Buffer
	mw := multipart.NewWriter(&file)
	fw, _ := mw.CreateFormFile("file", "more.txt")
	fw.Write([]byte("more evidence"))
	mw.Close()
	form := "application/x-www-form-urlencoded"
	jsonCT := "application/json"
	inc1 := "/incidents/" + ref
	api1 := "/api/v1/incidents/" + ref
	routes := []struct {
		method, path, ct, body, allowed string
	}{
		{"GET", "/", "", "", everyone},
		{"GET", "/signin", "", "", everyone},
		{"GET", "/static/vigil.css", "", "", everyone},
		{"GET", "/report", "", "", everyone},
		{"POST", "/report", form, "", everyone},
		{"GET", "/report/what", "", "", everyone},
		{"POST", "/report/what", form, "nature=x", everyone},
		{"GET", "/status/" + token, "", "", everyone},
		{"POST", "/status/" + token, form, "body=more", everyone},
		{"GET", "/account/password", "", "", signedIn},
		{"POST", "/account/password", form, "current=wrong&new=x&confirm=y", signedIn},
		{"GET", "/queue", "", "", signedIn},
		{"GET", "/dashboard", "", "", signedIn},
		{"GET", "/admin/users", "", "", admins},
		{"POST", "/admin/users", form, "name=&email=", admins},
		{"POST", "/admin/users/victim@example.org", form, "roles=reporter", admins},
		{"GET", "/admin/settings", "", "", admins},
		{"POST", "/admin/settings", form, "notice=", admins},
		{"POST", "/admin/settings/breach", form, "sign_off=yes", admins},
		{"POST", "/admin/settings/deadlines", form, "jurisdictions=UK&calendar=england-and-wales&thresholds=50%2C100&subjects_hours=0", admins},
		{"GET", "/admin/deliveries", "", "", admins},
		{"GET", "/admin/quarantine", "", "", admins},
		{"GET", "/admin/quarantine/1", "", "", admins},
		{"GET", "/breach-log", "", "", registers},
		{"GET", "/breach-log?format=csv&from-day=1&from-month=1&from-year=2026", "", "", registers},
		{"GET", "/returns?quarter=2026Q3", "", "", registers},
		{"GET", "/returns?quarter=2026Q3&format=pdf", "", "", registers},
		{"GET", "/api/v1/breach-log?format=xlsx", "", "", registers},
		{"GET", "/api/v1/returns/2026Q3", "", "", registers},
		{"GET", inc1, "", "", readers},
		{"GET", inc1 + "/details", "", "", readers},
		{"GET", inc1 + "/status?to=triage", "", "", readers},
		{"GET", inc1 + "/severity", "", "", readers},
		{"GET", inc1 + "/breach", "", "", readers},
		{"GET", inc1 + "/breach/result", "", "", readers},
		{"GET", inc1 + "/attachments/" + itoa(att.ID), "", "", readers},
		{"POST", inc1 + "/notes", form, "kind=internal&body=routes", updaters},
		{"POST", inc1 + "/assign", form, "version=999&owner=dpo%40example.org", updaters},
		{"POST", inc1 + "/classify", form, "version=999&class=incident&personal_data=yes&reason=routes", updaters},
		{"POST", inc1 + "/details", form, "version=999&title=t&nature=n&reason=routes", updaters},
		{"POST", inc1 + "/status", form, "version=999&to=triage", updaters},
		{"POST", inc1 + "/severity", form, "version=999&scheme=ncsc-uk", updaters},
		{"POST", inc1 + "/suggestion", form, "version=999", updaters},
		{"POST", inc1 + "/notifications", form, "clock=%2F&recipient=Board&method=meeting", updaters},
		{"POST", inc1 + "/links", form, "other=INC-1999-00001", updaters},
		{"POST", inc1 + "/merge", form, "version=999&into=INC-1999-00001", updaters},
		{"POST", inc1 + "/attachments", mw.FormDataContentType(), file.String(), updaters},
		{"POST", inc1 + "/breach/decision", form, "choice=accept", deciders},
		{"POST", inc1 + "/breach/approval", form, "approve=yes", approvers},
		{"GET", inc1 + "/notices", "", "", readers},
		{"GET", inc1 + "/notices/packs/ICO", "", "", readers},
		{"GET", inc1 + "/notices/packs/JOIC/pdf?phase=final", "", "", readers},
		{"GET", inc1 + "/notices/letters", "", "", updaters},
		{"GET", inc1 + "/notices" + runPath, "", "", updaters},
		{"GET", inc1 + "/notices" + runPath + "/pdf?layout=zip", "", "", updaters},
		{"GET", inc1 + "/notices/statement", "", "", updaters},
		{"GET", inc1 + "/notices/statement/pdf", "", "", updaters},
		{"GET", "/notices/settings", "", "", noticeStaff},
		{"POST", inc1 + "/notices/plan", form, "decision-police=later", updaters},
		{"POST", inc1 + "/notices/answers", form, "authority=ICO&phase=initial&answer-shoe=9", updaters},
		{"POST", inc1 + "/notices/letters", form, "method=email", updaters},
		{"POST", inc1 + "/notices" + runPath + "/send", form, "", deciders},
		{"POST", inc1 + "/notices/record", form, "clock=%2F&recipient=Board&method=meeting", updaters},
		{"POST", "/notices/settings", form, "controller=", "dpo admin"},
		{"POST", "/notices/templates/letter", form, "subject=", "dpo admin"},
		{"GET", "/api/v1/notice-settings", "", "", noticeStaff},
		{"PUT", "/api/v1/notice-settings", jsonCT, `{"controller":""}`, "dpo admin"},
		{"GET", "/api/v1/letter-templates/letter", "", "", noticeStaff},
		{"PUT", "/api/v1/letter-templates/public_statement", jsonCT, `{"subject":"","body":""}`, "dpo admin"},
		{"GET", api1 + "/notification-plan", "", "", readers},
		{"PUT", api1 + "/notification-plan", jsonCT, `{"parties":[]}`, updaters},
		{"GET", api1 + "/packs/EU?format=text", "", "", readers},
		{"PUT", api1 + "/pack-answers", jsonCT, `{"answers":{}}`, updaters},
		{"GET", api1 + "/public-statement?format=html", "", "", updaters},
		{"GET", api1 + "/letters", "", "", updaters},
		{"POST", api1 + "/letters", jsonCT, `{}`, updaters},
		{"GET", api1 + runPath, "", "", updaters},
		{"GET", api1 + runPath + "/pdf", "", "", updaters},
		{"POST", api1 + runPath + "/send", "", "", deciders},
		{"GET", "/api/v1/openapi.json", "", "", everyone},
		{"POST", "/api/v1/reports", jsonCT, `{"nature":"n"}`, everyone},
		{"GET", "/api/v1/reports/" + token, "", "", everyone},
		{"GET", "/api/v1/incidents", "", "", signedIn},
		{"POST", "/api/v1/incidents", jsonCT, `{"title":"t","nature":"n"}`, creators},
		{"GET", "/api/v1/clocks", "", "", signedIn},
		{"GET", "/api/v1/severity-schemes", "", "", signedIn},
		{"POST", "/api/v1/assess", jsonCT, `{"jurisdictions":["UK"]}`, signedIn},
		{"GET", api1, "", "", readers},
		{"GET", api1 + "/events", "", "", readers},
		{"GET", api1 + "/clocks", "", "", readers},
		{"GET", api1 + "/notifications", "", "", readers},
		{"GET", api1 + "/breach-assessment", "", "", readers},
		{"GET", api1 + "/observables", "", "", readers},
		{"GET", "/api/v1/intake/quarantine", "", "", admins},
		{"GET", "/api/v1/intake/quarantine/1/raw", "", "", admins},
		{"PATCH", api1, jsonCT, `{"title":"Open incident"}`, updaters},
		{"POST", api1 + "/notifications", jsonCT, `{"recipient":"Board","method":"meeting"}`, updaters},
		{"POST", api1 + "/links", jsonCT, `{"ref":"INC-1999-00001"}`, updaters},
		{"POST", api1 + "/merge", jsonCT, `{"into":"INC-1999-00001"}`, updaters},
		{"PUT", api1 + "/access/dpo@example.org", "", "", updaters},
		{"PUT", api1 + "/breach-assessment", jsonCT, `{"jurisdictions":["UK"],"personal_data":"yes"}`, updaters},
		{"POST", api1 + "/breach-decision", jsonCT, `{"accept":true}`, deciders},
		{"POST", api1 + "/breach-decision/approval", jsonCT, `{"approve":true}`, approvers},
		// Incident response (issue 8).
		{"GET", inc1 + "/response", "", "", readers},
		{"POST", inc1 + "/response/assessment", form, "risk=r&inform=i", updaters},
		{"POST", inc1 + "/actions", form, "kind=containment&title=Isolate", updaters},
		{"POST", inc1 + "/actions/" + itoa(act.ID), form, "status-" + itoa(act.ID) + "=done", updaters},
		{"POST", pb1 + task, form, "done=yes", updaters},
		{"GET", inc1 + "/review", "", "", readers},
		{"POST", inc1 + "/review", form, "went_well=w", updaters},
		{"POST", inc1 + "/review/waiver", form, "waiver_reason=", approvers},
		{"GET", inc1 + "/people", "", "", peopleOK},
		{"POST", inc1 + "/people", form, "support=s", peopleOK},
		{"POST", inc1 + "/people/suspension", form, "summary=", peopleOK},
		{"GET", "/approvals", "", "", signedIn},
		{"POST", "/approvals/" + itoa(sus.ID), form, "decision-" + itoa(sus.ID) + "=reject", approvers},
		{"GET", "/admin/approvals", "", "", admins},
		{"POST", "/admin/approvals", form, "require=close_incident", admins},
		{"GET", "/admin/playbooks", "", "", admins},
		{"POST", "/admin/playbooks/phishing", form, "body=%7B%7D", admins},
		{"GET", api1 + "/response-assessment", "", "", readers},
		{"PUT", api1 + "/response-assessment", jsonCT, `{"risk":"r"}`, updaters},
		{"GET", api1 + "/actions", "", "", readers},
		{"POST", api1 + "/actions", jsonCT, `{"kind":"recovery","title":"Restore"}`, updaters},
		{"PUT", api1 + "/actions/" + itoa(act.ID), jsonCT, `{"kind":"containment","title":"Routes","status":"done"}`, updaters},
		{"GET", "/api/v1/actions", "", "", signedIn},
		{"GET", api1 + "/approvals", "", "", readers},
		{"POST", api1 + "/approvals", jsonCT, `{"kind":"public_statement","summary":"Press release"}`, updaters},
		{"GET", "/api/v1/approvals", "", "", signedIn},
		{"POST", "/api/v1/approvals/" + itoa(sus.ID) + "/decision", jsonCT, `{"approve":false}`, approvers},
		{"GET", api1 + "/review", "", "", readers},
		{"PUT", api1 + "/review", jsonCT, `{"went_well":"w"}`, updaters},
		{"POST", api1 + "/review/waiver", jsonCT, `{"reason":""}`, approvers},
		{"GET", api1 + "/people-matters", "", "", peopleOK},
		{"PUT", api1 + "/people-matters", jsonCT, `{"support":"s"}`, peopleOK},
		{"GET", pbAPI + "/playbook-tasks", "", "", readers},
		{"PUT", pbAPI + "/playbook-tasks/" + itoa(tasks[0].ID), jsonCT, `{"done":true}`, updaters},
		{"GET", "/api/v1/playbooks", "", "", signedIn},
		{"PUT", "/api/v1/playbooks/phishing", jsonCT, `{}`, admins},
		// Only the person who asked may withdraw a request (here the head of people's).
		{"POST", "/approvals/" + itoa(sus.ID) + "/withdraw", form, "", "people"},
		{"POST", "/api/v1/approvals/" + itoa(sus.ID) + "/withdrawal", jsonCT, "", "people"},
	}
	for _, rt := range routes {
		for _, role := range roles {
			req, _ := http.NewRequest(rt.method, e.srv.URL+rt.path, strings.NewReader(rt.body))
			if rt.ct != "" {
				req.Header.Set("Content-Type", rt.ct)
			}
			client := web[role]
			if strings.HasPrefix(rt.path, "/api/") {
				client = &http.Client{}
				req.Header.Set("If-Match", `"999"`)
				if tok := tokens[role]; tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
			}
			r := e.do(client, req)
			refused := r.code == 401 || r.code == 403 || r.code == 404 || (r.code == 303 && strings.HasPrefix(r.location, "/signin"))
			want := strings.Contains(" "+rt.allowed+" ", " "+role+" ")
			if refused == want {
				t.Errorf("%s %s as %s: %d (location %q); want allowed=%v", rt.method, rt.path, role, r.code, r.location, want)
			}
		}
	}
}

func itoa(n int64) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
