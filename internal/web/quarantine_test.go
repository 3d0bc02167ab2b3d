package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/browsertest"
	"github.com/vigil-ir/vigil/internal/service"
)

// Administrators see every refused e-mail with its reason and can download the raw message,
// which is sent as an attachment and never rendered in the page.
func TestQuarantinePage(t *testing.T) {
	e := newEnv(t, "sqlite")
	res, err := e.svc.ReceiveMail(t.Context(), service.InboundMail{Raw: []byte("no header at all"), Kind: service.IntakeIncident, Recipient: "security@example.org"})
	if err != nil || res.Outcome != service.OutcomeQuarantined {
		t.Fatalf("refusing a message without headers: %+v %v", res, err)
	}
	admin := e.signedIn("admin@example.org")
	page := e.get(admin, "/admin/quarantine")
	if page.code != http.StatusOK || !strings.Contains(page.body, res.Reason) || !strings.Contains(page.body, `href="/admin/quarantine/1"`) {
		t.Fatalf("quarantine page: %d, reason %q shown = %v", page.code, res.Reason, strings.Contains(page.body, res.Reason))
	}
	msg := e.get(admin, "/admin/quarantine/1")
	if msg.code != http.StatusOK || msg.header.Get("Content-Type") != "message/rfc822" ||
		!strings.HasPrefix(msg.header.Get("Content-Disposition"), "attachment") || msg.body != "no header at all" {
		t.Fatalf("download: %d %q %q %q", msg.code, msg.header.Get("Content-Type"), msg.header.Get("Content-Disposition"), msg.body)
	}
	if r := e.get(e.signedIn("handler@example.org"), "/admin/quarantine"); r.code != http.StatusForbidden {
		t.Fatalf("handler on the quarantine page: %d", r.code)
	}
}

// TestQuarantinePageInBrowser checks the refused e-mails page with axe-core, JavaScript off.
func TestQuarantinePageInBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	if _, err := e.svc.ReceiveMail(t.Context(), service.InboundMail{Raw: []byte("no header at all"), Kind: service.IntakeIncident, Recipient: "security@example.org"}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, browsertest.WithoutJavaScript())
	b.Go(e.srv.URL + "/signin")
	b.Fill("#email", "admin@example.org")
	b.Fill("#password", password)
	b.Submit("form")
	b.Go(e.srv.URL + "/admin/quarantine")
	b.CheckAccessibility("quarantine")
	if !strings.Contains(b.Text("main"), "Download message 1") {
		t.Fatalf("quarantine page: %s", b.Text("main"))
	}
}
