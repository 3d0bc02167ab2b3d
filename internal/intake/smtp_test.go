package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/intake"
	"github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/notify"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

const (
	incidentAddr = "security@example.org"
	phishingAddr = "phishing@example.org"
)

type env struct {
	svc  *service.Service
	addr string // the receiver
	tls  *tls.Config
}

// newEnv runs the SMTP receiver, configured by o, over a service on st; o.Addresses
// defaults to the two test intake addresses.
func newEnv(t *testing.T, st *store.Store, o intake.SMTPOptions) *env {
	t.Helper()
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(context.Background(), st, service.Options{Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	if o.Addresses == nil {
		if o.Addresses, err = intake.ParseAddresses([]string{"incident=" + incidentAddr, "phishing=" + phishingAddr}); err != nil {
			t.Fatal(err)
		}
	}
	srv := intake.NewSMTPServer(svc, o)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- intake.ServeSMTP(ctx, srv, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("SMTP receiver: %v", err)
		}
	})
	return &env{svc: svc, addr: l.Addr().String()}
}

// withStartTLS makes send upgrade the connection, trusting pool.
func (e *env) withStartTLS(pool *x509.CertPool) *env {
	e.tls = &tls.Config{RootCAs: pool}
	return e
}

// send delivers raw with a real SMTP client and returns the server's reply code (250 when
// accepted).
func (e *env) send(t *testing.T, from, to string, raw []byte) int {
	t.Helper()
	dial := smtp.Dial
	if e.tls != nil {
		dial = func(addr string) (*smtp.Client, error) { return smtp.DialStartTLS(addr, e.tls) }
	}
	c, err := dial(e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.SendMail(from, []string{to}, bytes.NewReader(raw))
	if err == nil {
		return 250
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	t.Fatalf("sending: %v", err)
	return 0
}

func message(from, subject, body string, extra ...string) []byte {
	h := "From: " + from + "\r\nTo: " + incidentAddr + "\r\nSubject: " + subject + "\r\n"
	for _, x := range extra {
		h += x + "\r\n"
	}
	return []byte(h + "\r\n" + body + "\r\n")
}

func (e *env) incidents(t *testing.T) []string {
	t.Helper()
	list, _, err := e.svc.ListIncidents(context.Background(), e.svc.System(), service.ListQuery{Filter: store.Filter{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, inc := range list {
		refs = append(refs, inc.Ref)
	}
	return refs
}

func (e *env) acks(t *testing.T) []*store.OutboxItem {
	t.Helper()
	items, err := e.svc.Deliveries(context.Background(), e.svc.System(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []*store.OutboxItem
	for _, it := range items {
		if strings.Contains(it.Payload, service.AckEvent) {
			out = append(out, it)
		}
	}
	return out
}

func TestSMTPIntakeReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, intake.SMTPOptions{Limits: mailparse.Limits{MaxSize: 64 << 10}})
		ctx := context.Background()
		sys := e.svc.System()

		// A report with an attachment becomes an incident with the file as evidence.
		report := []byte("From: Dana Lee <dana@example.net>\r\nTo: " + incidentAddr + "\r\nSubject: Lost USB stick\r\nMessage-ID: <usb-1@example.net>\r\n" +
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nI lost a USB stick with the rota on the bus.\r\n" +
			"--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=rota.csv\r\n\r\nname,shift\r\n--b--\r\n")
		if code := e.send(t, "dana@example.net", incidentAddr, report); code != 250 {
			t.Fatalf("report: %d", code)
		}
		refs := e.incidents(t)
		if len(refs) != 1 {
			t.Fatalf("incidents = %v", refs)
		}
		ref := refs[0]
		inc, err := e.svc.Incident(ctx, sys, ref)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Channel != "email" || inc.Reporter.Contact != "dana@example.net" || inc.Reporter.Name != "Dana Lee" ||
			inc.Title != "Lost USB stick" || !strings.Contains(inc.Nature, "USB stick with the rota") {
			t.Errorf("incident = %+v", inc)
		}
		files, err := e.svc.Attachments(ctx, sys, ref)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, f := range files {
			names[f.Name] = f.SHA256
		}
		// The part's body is "name,shift": the line break before a boundary belongs to it.
		sum := sha256.Sum256([]byte("name,shift"))
		if names["rota.csv"] != hex.EncodeToString(sum[:]) {
			t.Errorf("attachments = %v, want rota.csv and message.eml", names)
		}
		if _, ok := names["message.eml"]; !ok {
			t.Errorf("attachments = %v: the message itself is not kept", names)
		}
		acks := e.acks(t)
		if len(acks) != 1 || acks[0].Target != "dana@example.net" || !strings.Contains(acks[0].Payload, ref) || !strings.Contains(acks[0].Payload, "usb-1@example.net") {
			t.Fatalf("acknowledgements = %+v", acks)
		}

		// The same message delivered again (a sending server's retry) records nothing new.
		if code := e.send(t, "dana@example.net", incidentAddr, report); code != 250 {
			t.Fatalf("redelivery: %d", code)
		}
		if got := e.incidents(t); len(got) != 1 || len(e.acks(t)) != 1 {
			t.Errorf("redelivery made incidents %v and %d acknowledgements", got, len(e.acks(t)))
		}

		// A reply naming the reference from the reporter is added to the incident.
		if code := e.send(t, "dana@example.net", incidentAddr, message("dana@example.net", "Re: We have received your report ["+ref+"]", "It was the number 12 bus.")); code != 250 {
			t.Fatalf("reply: %d", code)
		}
		notes, err := e.svc.Notes(ctx, sys, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].Kind != store.NoteFromReporter || !strings.Contains(notes[0].Body, "number 12 bus") {
			t.Errorf("notes = %+v", notes)
		}
		if got := e.incidents(t); len(got) != 1 {
			t.Errorf("the reply opened an incident: %v", got)
		}
		if acks := e.acks(t); len(acks) != 2 || !strings.Contains(acks[0].Payload+acks[1].Payload, `"outcome":"appended"`) {
			t.Errorf("the reply was not acknowledged as added: %+v", acks)
		}

		// The same reference from someone else opens a new report and adds nothing to the first.
		if code := e.send(t, "mallory@example.com", incidentAddr, message("mallory@example.com", "Re: ["+ref+"] more", "Add this to the report.")); code != 250 {
			t.Fatalf("stranger: %d", code)
		}
		if got := e.incidents(t); len(got) != 2 {
			t.Errorf("incidents = %v, want a new report for the stranger", got)
		}
		if notes, _ := e.svc.Notes(ctx, sys, ref); len(notes) != 1 {
			t.Errorf("a stranger's message was added to %s: %+v", ref, notes)
		}

		// An out-of-office reply is recorded but never acknowledged.
		before := len(e.acks(t))
		if code := e.send(t, "away@example.net", incidentAddr, message("away@example.net", "Out of office", "Back Monday.", "Auto-Submitted: auto-replied")); code != 250 {
			t.Fatalf("auto-reply: %d", code)
		}
		if n := len(e.acks(t)); n != before {
			t.Errorf("an auto-reply was acknowledged (%d acknowledgements, had %d)", n, before)
		}
	})
}

func TestSMTPIntakeBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, intake.SMTPOptions{Limits: mailparse.Limits{MaxSize: 64 << 10, MaxDepth: 4}})
		deep := "From: x@example.net\r\nSubject: deep\r\n\r\nbottom\r\n"
		for range 10 {
			deep = "From: x@example.net\r\nSubject: wrap\r\nContent-Type: message/rfc822\r\n\r\n" + deep
		}
		tests := []struct {
			name   string
			to     string
			raw    []byte
			code   int
			reason string // the quarantine reason expected, if any
		}{
			{"unknown recipient", "ceo@example.org", message("x@example.net", "hi", "hello"), 550, ""},
			{"too large", incidentAddr, message("x@example.net", "big", strings.Repeat(strings.Repeat("a", 70)+"\r\n", 1000)), 552, ""},
			{"line too long", incidentAddr, message("x@example.net", "long", strings.Repeat("a", 5000)), 500, ""},
			{"nested too deep", incidentAddr, []byte(deep), 250, mailparse.ReasonTooDeep},
			{"our own mail coming back", incidentAddr, message("vigil@example.org", "[INC-2026-00001] We have received your report", "…", "X-Vigil-Kind: acknowledgement", "Auto-Submitted: auto-replied"), 250, service.ReasonLoop},
			{"a bounce", incidentAddr, message("MAILER-DAEMON@example.net", "Undelivered Mail", "…"), 250, service.ReasonLoop},
			{"empty envelope sender", incidentAddr, message("someone@example.net", "Delivery failed", "…", "Message-ID: <dsn-1@example.net>"), 250, service.ReasonLoop},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				from := "x@example.net"
				if tt.name == "empty envelope sender" {
					from = "" // MAIL FROM:<>
				}
				if code := e.send(t, from, tt.to, tt.raw); code != tt.code {
					t.Fatalf("reply code %d, want %d", code, tt.code)
				}
				if tt.reason == "" {
					return
				}
				q, err := e.svc.Quarantine(context.Background(), e.svc.System(), 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(q) == 0 || q[0].Reason != tt.reason || q[0].Size != int64(len(tt.raw)) || q[0].SHA256 == "" {
					t.Fatalf("quarantine = %+v, want %s first", q, tt.reason)
				}
			})
		}
		if got := e.incidents(t); len(got) != 0 {
			t.Errorf("refused messages opened incidents: %v", got)
		}
		if _, err := e.svc.Quarantine(context.Background(), auth.Principal{Kind: auth.KindUser, UserID: 9, Roles: []auth.Role{auth.RoleHandler}}, 10); err == nil {
			t.Error("a handler may read the quarantine")
		}
	})
}

// capture is an SMTP relay that keeps what it is given.
type capture struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (c *capture) NewSession(*smtp.Conn) (smtp.Session, error) { return &captureSession{c: c}, nil }

type captureSession struct{ c *capture }

func (s *captureSession) Reset()                               {}
func (s *captureSession) Logout() error                        { return nil }
func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *captureSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.c.mu.Lock()
	s.c.msgs = append(s.c.msgs, b)
	s.c.mu.Unlock()
	return err
}

// TestAcknowledgementRoundTrip sends the queued acknowledgement through the outbox and a real
// relay, checks it is marked as an automatic reply threaded to the report, and feeds it back
// to the receiver, which must not answer it (no mail loop).
func TestAcknowledgementRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, intake.SMTPOptions{Limits: mailparse.Limits{}})
		relay := &capture{}
		rs := smtp.NewServer(relay)
		rs.Domain = "relay.test"
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = rs.Serve(l) }()
		t.Cleanup(func() { rs.Close() })
		host, port, _ := net.SplitHostPort(l.Addr().String())
		var p int
		fmt.Sscan(port, &p)
		sender, err := mail.NewSender(mail.Config{Host: host, Port: p, TLS: mail.TLSNone, From: mustAddr(t, "Vigil <vigil@example.org>"), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if code := e.send(t, "erin@example.net", incidentAddr, message("erin@example.net", "Phone stolen", "My work phone was stolen.", "Message-ID: <phone-1@example.net>")); code != 250 {
			t.Fatalf("report: %d", code)
		}
		d := &notify.Deliverer{Mail: sender, BaseURL: "https://vigil.example.org", Location: time.UTC}
		if n, err := e.svc.DeliverPass(context.Background(), d, 10, func(int) time.Duration { return 0 }); err != nil || n != 1 {
			t.Fatalf("delivered %d: %v", n, err)
		}
		relay.mu.Lock()
		msgs := relay.msgs
		relay.mu.Unlock()
		if len(msgs) != 1 {
			t.Fatalf("relay got %d messages", len(msgs))
		}
		ack, err := mailparse.Parse(msgs[0], mailparse.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		ref := e.incidents(t)[0]
		if ack.InReplyTo != "phone-1@example.net" || !strings.Contains(ack.Subject, "["+ref+"]") || !bytes.Contains(msgs[0], []byte("Auto-Submitted: auto-replied")) {
			t.Errorf("acknowledgement: subject %q, in-reply-to %q, auto %q", ack.Subject, ack.InReplyTo, ack.Auto)
		}
		if !bytes.Contains(msgs[0], []byte("X-Vigil-Kind: acknowledgement")) {
			t.Errorf("acknowledgement lacks X-Vigil-Kind:\n%s", msgs[0])
		}
		// Bounced back to the intake address (a misconfigured forward), it is a loop.
		if code := e.send(t, "vigil@example.org", incidentAddr, msgs[0]); code != 250 {
			t.Fatalf("looped acknowledgement: %d", code)
		}
		if got := e.incidents(t); len(got) != 1 {
			t.Errorf("the acknowledgement coming back opened a report: %v", got)
		}
		if n := len(e.acks(t)); n != 1 {
			t.Errorf("%d acknowledgements queued, want 1", n)
		}
	})
}

func mustAddr(t *testing.T, s string) netmail.Address {
	t.Helper()
	a, err := netmail.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return *a
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mailparse", "testdata", "messages", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSenderRate: a sender writing in a loop gets a few acknowledgements, then none, then
// their messages go to the quarantine instead of each opening a report.
func TestSenderRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, intake.SMTPOptions{Limits: mailparse.Limits{}})
		for i := range service.QuarantineRate + 1 {
			raw := message("loop@example.net", fmt.Sprintf("Report %d", i), "again", fmt.Sprintf("Message-ID: <loop-%d@example.net>", i))
			if code := e.send(t, "loop@example.net", incidentAddr, raw); code != 250 {
				t.Fatalf("message %d: %d", i, code)
			}
		}
		if n := len(e.acks(t)); n != service.AckRate {
			t.Errorf("%d acknowledgements, want %d", n, service.AckRate)
		}
		if n := len(e.incidents(t)); n != service.QuarantineRate {
			t.Errorf("%d incidents, want %d", n, service.QuarantineRate)
		}
		q, err := e.svc.Quarantine(context.Background(), e.svc.System(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].Reason != service.ReasonSenderRate || q[0].Sender != "loop@example.net" {
			t.Errorf("quarantine = %+v", q)
		}
	})
}

func TestSMTPStartTLS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cert, pool := selfSigned(t)
		e := newEnv(t, st, intake.SMTPOptions{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
		if code := e.withStartTLS(pool).send(t, "ivy@example.net", incidentAddr, message("ivy@example.net", "Over TLS", "Sent encrypted.")); code != 250 {
			t.Fatalf("STARTTLS delivery: %d", code)
		}
		if got := e.incidents(t); len(got) != 1 {
			t.Errorf("incidents = %v", got)
		}
	})
}
