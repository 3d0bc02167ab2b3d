package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// TestClassifyGradeAndAcceptSuggestion goes through the workspace without JavaScript: the
// suggestion made on arrival is shown and accepted, the classification form sets the RSIT
// type, impacts and markings, and the severity page grades the incident with a scheme's
// questions and shows the CSIRT to tell.
func TestClassifyGradeAndAcceptSuggestion(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			ctx := context.Background()
			ref, _ := e.report(e.client(), "My laptop with the customer spreadsheet was stolen from my car")
			handler := e.signedIn("handler@example.org")

			page := e.get(handler, "/incidents/"+ref)
			for _, want := range []string{"Suggested classification", "Data Loss", "Loss/theft of device containing personal data", "“laptop”", "Accept suggestion", "TLP:AMBER"} {
				if !strings.Contains(page.body, want) {
					t.Fatalf("incident page lacks %q", want)
				}
			}
			if r := e.post(handler, "/incidents/"+ref+"/suggestion", url.Values{"version": {"1"}}); r.code != http.StatusSeeOther {
				t.Fatalf("accept: %d %s", r.code, r.body)
			}
			inc, err := e.svc.Incident(ctx, e.svc.System(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if inc.RSITClass != "information-content-security" || inc.RSITType != "data-loss" || inc.ICOType != "loss-or-theft-of-device" || inc.PersonalData != "yes" {
				t.Fatalf("after accepting: %s %s %s %s", inc.RSITClass, inc.RSITType, inc.ICOType, inc.PersonalData)
			}
			events, err := e.svc.IncidentEvents(ctx, e.svc.System(), ref)
			if err != nil {
				t.Fatal(err)
			}
			// The newest update (a matching playbook's checklist may be recorded after it).
			last := events[0]
			for _, ev := range events {
				if ev.Action == "incident.updated" {
					last = ev
				}
			}
			if !strings.Contains(string(last.Data), `"reason":"`+service.AcceptedSuggestion+`"`) || last.Actor != "handler@example.org" {
				t.Fatalf("accepting is not recorded with its reason: %s %s", last.Actor, last.Data)
			}

			// The classification form: a bad RSIT value is refused at its field; a good one saves.
			form := url.Values{"version": {"2"}, "class": {"incident"}, "personal_data": {"yes"}, "reason": {"Confirmed by the owner"},
				"rsit": {"fraud:data-leak"}, "ico_type": {"loss-or-theft-of-device"}, "tlp": {"amber+strict"}, "pap": {"red"},
				"confidentiality": {"yes"}, "confidentiality_note": {"customer list"}, "integrity_note": {""}, "availability": {"yes"}, "availability_note": {""}}
			if r := e.post(handler, "/incidents/"+ref+"/classify", form); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<a href="#rsit">`) {
				t.Fatalf("bad RSIT type: %d", r.code)
			}
			form.Set("rsit", "information-content-security:unauthorised-information-access")
			if r := e.post(handler, "/incidents/"+ref+"/classify", form); r.code != http.StatusSeeOther {
				t.Fatalf("classify: %d %s", r.code, r.body)
			}
			inc, _ = e.svc.Incident(ctx, e.svc.System(), ref)
			if inc.RSITType != "unauthorised-information-access" || inc.TLP != "amber+strict" || inc.PAP != "red" ||
				!inc.Impact.Confidentiality.Affected || inc.Impact.Confidentiality.Note != "customer list" || inc.Impact.Integrity.Affected || !inc.Impact.Availability.Affected {
				t.Fatalf("after classifying: %+v", inc)
			}

			// Severity: unanswered questions are named; answers give the category and, in a
			// scheme that says so, the CSIRT to tell.
			sev := e.get(handler, "/incidents/"+ref+"/severity?scheme=je-example")
			if sev.code != 200 || !strings.Contains(sev.body, "Who is affected?") || !strings.Contains(sev.body, `type="radio"`) || !strings.Contains(sev.body, "not been graded") {
				t.Fatalf("severity page: %d", sev.code)
			}
			if r := e.post(handler, "/incidents/"+ref+"/severity", url.Values{"version": {"3"}, "scheme": {"je-example"}, "answer-who": {"medium-organisation"}}); r.code != http.StatusUnprocessableEntity ||
				!strings.Contains(r.body, `href="#answer-how"`) {
				t.Fatalf("unanswered question: %d", r.code)
			}
			r := e.post(handler, "/incidents/"+ref+"/severity", url.Values{"version": {"3"}, "scheme": {"je-example"},
				"answer-who": {"essential-services"}, "answer-how": {"serious-impact"}, "reason": {"Hospital records"}})
			if r.code != http.StatusSeeOther {
				t.Fatalf("grade: %d %s", r.code, r.body)
			}
			inc, _ = e.svc.Incident(ctx, e.svc.System(), ref)
			if inc.Severity == nil || inc.Severity.Scheme != "je-example" || inc.Severity.Rank < 1 {
				t.Fatalf("severity not stored: %+v", inc.Severity)
			}
			g := e.svc.Grade(inc)
			if g == nil || !g.NotifyCSIRT {
				t.Fatalf("essential services seriously affected should be told to JCSC: %+v", g)
			}
			done := e.get(handler, r.location)
			if !strings.Contains(done.body, "The severity has been saved") || !strings.Contains(done.body, g.Category.Name) {
				t.Fatalf("graded page lacks the category %q", g.Category.Name)
			}
			if g.NotifyCSIRT != strings.Contains(done.body, `id="csirt"`) {
				t.Fatalf("CSIRT inset shown = %v, want %v", !g.NotifyCSIRT, g.NotifyCSIRT)
			}
			if g.NotifyCSIRT && (!strings.Contains(done.body, "01534 500050") || !strings.Contains(done.body, "may be compromised")) {
				t.Fatal("CSIRT inset lacks the contacts or the warning about compromised networks")
			}
			// A stale version is refused, not silently applied.
			if r := e.post(handler, "/incidents/"+ref+"/severity", url.Values{"version": {"3"}, "scheme": {"ncsc-uk"}, "answer-who": {"individual"}, "answer-how": {"preliminary"}}); r.code != http.StatusConflict {
				t.Fatalf("stale grade: %d", r.code)
			}
			// Auditors read the grade but are not offered a form they may not submit.
			if a := e.get(e.signedIn("auditor@example.org"), "/incidents/"+ref+"/severity"); a.code != 200 || !strings.Contains(a.body, g.Category.Name) || strings.Contains(a.body, `action="/incidents/`+ref+`/severity"`) {
				t.Fatalf("auditor's severity page: %d, grading form shown = %v", a.code, strings.Contains(a.body, `action="/incidents/`+ref+`/severity"`))
			}
			q := e.get(handler, "/queue")
			if !strings.Contains(q.body, "TLP:AMBER&#43;STRICT") || !strings.Contains(q.body, "category "+inc.Severity.Category) {
				t.Fatal("the queue does not show the marking and the severity")
			}
		})
	}
}
