package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

var vigilFrom = netmail.Address{Name: "Vigil", Address: "vigil@example.org"}

// senderFor configures a Sender for r with the right credentials and trust, then lets the test
// change what it needs.
func senderFor(t *testing.T, r *relay, policy TLSPolicy, edit func(*Config)) *Sender {
	t.Helper()
	cfg := Config{
		Host:     "127.0.0.1",
		Port:     r.port,
		Username: relayUser,
		Password: relayPassword,
		From:     vigilFrom,
		TLS:      policy,
		Timeout:  10 * time.Second,
		HELO:     "vigil.test",
		RootCAs:  r.pool,
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func plainMessage(to ...string) Message {
	return Message{To: to, Subject: "Test", Text: "Hello.\n", Kind: "test"}
}

func TestSendDeliversEscalationOverStartTLSWithAuth(t *testing.T) {
	r := startRelay(t, relayStartTLS)
	s := senderFor(t, r, TLSStartTLS, nil)

	due := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	m, err := RenderEscalation(Escalation{
		Reference: "INC-2025-0042",
		Title:     "Laptop left on a train",
		Clock:     "72-hour notification to the ICO",
		Due:       due,
		Now:       due.Add(-18 * time.Hour),
		Location:  london(t),
		URL:       "https://vigil.example.org/incidents/INC-2025-0042",
	})
	if err != nil {
		t.Fatal(err)
	}
	m.To = []string{"owner@example.org", "Data Protection Officer <dpo@example.org>"}
	m.ID = "outbox-42"
	m.Headers = map[string]string{"X-Vigil-Incident": "INC-2025-0042"}

	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := r.received()
	if len(got) != 1 {
		t.Fatalf("relay received %d messages, want 1", len(got))
	}
	rcv := got[0]
	if !rcv.tls {
		t.Error("the message was sent without TLS")
	}
	if rcv.authUser != relayUser {
		t.Errorf("authenticated as %q, want %q", rcv.authUser, relayUser)
	}
	if rcv.helo != "vigil.test" {
		t.Errorf("EHLO name = %q, want vigil.test", rcv.helo)
	}
	if rcv.from != "vigil@example.org" {
		t.Errorf("MAIL FROM = %q", rcv.from)
	}
	if want := []string{"owner@example.org", "dpo@example.org"}; !slices.Equal(rcv.to, want) {
		t.Errorf("RCPT TO = %v, want %v", rcv.to, want)
	}

	msg, err := netmail.ReadMessage(bytes.NewReader(rcv.data))
	if err != nil {
		t.Fatalf("the relay got an unparseable message: %v\n%s", err, rcv.data)
	}
	h := msg.Header
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	from, err := netmail.ParseAddress(h.Get("From"))
	if err != nil {
		t.Fatal(err)
	}
	to, err := h.AddressList("To")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	headers := []struct{ name, got, want string }{
		{"Subject", subject, m.Subject},
		{"From", from.String(), vigilFrom.String()},
		{"To", fmt.Sprint(len(to), " ", to[0].Address, " ", to[1].Name), "2 owner@example.org Data Protection Officer"},
		{"Message-ID", h.Get("Message-ID"), "<vigil.outbox-42@example.org>"},
		{"Auto-Submitted", h.Get("Auto-Submitted"), "auto-generated"},
		{"X-Auto-Response-Suppress", h.Get("X-Auto-Response-Suppress"), "All"},
		{"X-Vigil-Kind", h.Get("X-Vigil-Kind"), "escalation"},
		{"X-Vigil-Incident", h.Get("X-Vigil-Incident"), "INC-2025-0042"},
	}
	for _, c := range headers {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(subject, "18 hours left: 72-hour notification to the ICO") {
		t.Errorf("subject %q does not lead with the time left and the clock", subject)
	}

	parts := readAlternatives(t, h.Get("Content-Type"), msg.Body)
	if got, want := parts["text/plain"], m.Text; got != want {
		t.Errorf("plain-text part differs\n--- got ---\n%s\n--- want ---\n%s", got, want)
	}
	if got, want := parts["text/html"], m.HTML; got != want {
		t.Errorf("HTML part differs\n--- got ---\n%s\n--- want ---\n%s", got, want)
	}
}

// readAlternatives returns the decoded parts of a multipart/alternative body by media type,
// with CRLF line ends turned back into LF.
func readAlternatives(t *testing.T, contentType string, body io.Reader) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", contentType, err)
	}
	out := map[string]string{}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p) // multipart.Part undoes quoted-printable itself
		if err != nil {
			t.Fatal(err)
		}
		out[pt] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
}

func TestSendTLSPolicies(t *testing.T) {
	tests := []struct {
		name    string
		mode    relayMode
		policy  TLSPolicy
		wantTLS bool
	}{
		{"starttls", relayStartTLS, TLSStartTLS, true},
		{"opportunistic uses STARTTLS when offered", relayStartTLS, TLSStartTLSOpportunistic, true},
		{"opportunistic goes on in clear without it", relayPlain, TLSStartTLSOpportunistic, false},
		{"implicit TLS", relayImplicit, TLSImplicit, true},
		{"none on loopback", relayPlain, TLSNone, false},
	}
	randomID := regexp.MustCompile(`^<vigil\.[0-9a-f]{32}@example\.org>$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startRelay(t, tt.mode)
			s := senderFor(t, r, tt.policy, nil)
			if err := s.Send(context.Background(), plainMessage("owner@example.org")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := r.received()
			if len(got) != 1 {
				t.Fatalf("relay received %d messages, want 1", len(got))
			}
			if got[0].tls != tt.wantTLS {
				t.Errorf("sent over TLS = %v, want %v", got[0].tls, tt.wantTLS)
			}
			if got[0].authUser != relayUser {
				t.Errorf("authenticated as %q, want %q", got[0].authUser, relayUser)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(got[0].data))
			if err != nil {
				t.Fatal(err)
			}
			if id := msg.Header.Get("Message-ID"); !randomID.MatchString(id) {
				t.Errorf("Message-ID %q is not a random id under the From domain", id)
			}
		})
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	smtpErr := func(code int, msg string) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	}
	closedPort := func(t *testing.T) int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if err := ln.Close(); err != nil {
			t.Fatal(err)
		}
		return port
	}
	tests := []struct {
		name      string
		mode      relayMode
		setup     func(r *relay)
		edit      func(t *testing.T, c *Config)
		msg       Message
		temporary bool
		stage     Stage
		code      int
		match     func(error) bool // an extra check on the cause, when the code says too little
	}{
		{
			name: "451 to MAIL FROM", setup: func(r *relay) { r.mailErr = smtpErr(451, "try again later") },
			temporary: true, stage: StageSender, code: 451,
		},
		{
			name:      "550 to MAIL FROM is the relay refusing our From, not this message",
			setup:     func(r *relay) { r.mailErr = smtpErr(550, "not allowed to send as vigil@example.org") },
			temporary: true, stage: StageSender, code: 550,
		},
		{
			name: "550 to RCPT TO", setup: func(r *relay) {
				r.rcptErr = func(string) error { return smtpErr(550, "no such user") }
			},
			temporary: false, stage: StageRecipient, code: 550,
		},
		{
			name: "452 to RCPT TO", setup: func(r *relay) {
				r.rcptErr = func(string) error { return smtpErr(452, "mailbox full for now") }
			},
			temporary: true, stage: StageRecipient, code: 452,
		},
		{
			name: "451 after DATA", setup: func(r *relay) { r.dataErr = smtpErr(451, "local error in processing") },
			temporary: true, stage: StageData, code: 451,
		},
		{
			name: "554 after DATA", setup: func(r *relay) { r.dataErr = smtpErr(554, "content rejected") },
			temporary: false, stage: StageData, code: 554,
		},
		{
			name: "wrong password", edit: func(_ *testing.T, c *Config) { c.Password = "wrong" },
			temporary: true, stage: StageConnect, code: 535,
		},
		{
			name: "untrusted certificate", edit: func(_ *testing.T, c *Config) { c.RootCAs = nil },
			temporary: true, stage: StageConnect,
			match: func(err error) bool {
				var cv *tls.CertificateVerificationError
				return errors.As(err, &cv)
			},
		},
		{
			name: "mandatory STARTTLS not offered", mode: relayPlain,
			temporary: true, stage: StageConnect,
			match: func(err error) bool { return strings.Contains(err.Error(), "STARTTLS") },
		},
		{
			name: "closed port", edit: func(t *testing.T, c *Config) { c.Port = closedPort(t) },
			temporary: true, stage: StageConnect,
			match: func(err error) bool {
				var op *net.OpError
				return errors.As(err, &op)
			},
		},
		{
			name: "malformed address", msg: plainMessage("not an address"),
			temporary: false, stage: StageMessage,
			match: func(err error) bool { return errors.Is(err, ErrInvalidMessage) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startRelay(t, tt.mode)
			if tt.setup != nil {
				tt.setup(r)
			}
			s := senderFor(t, r, TLSStartTLS, func(c *Config) {
				if tt.edit != nil {
					tt.edit(t, c)
				}
			})
			m := tt.msg
			if m.To == nil {
				m = plainMessage("owner@example.org", "dpo@example.org")
			}
			err := s.Send(context.Background(), m)
			if err == nil {
				t.Fatal("Send succeeded, want a failure")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Send returned %T (%v), want *Error", err, err)
			}
			if e.Temporary != tt.temporary || e.Stage != tt.stage || e.Code != tt.code {
				t.Errorf("got temporary=%v stage=%s code=%d, want temporary=%v stage=%s code=%d (%v)",
					e.Temporary, e.Stage, e.Code, tt.temporary, tt.stage, tt.code, err)
			}
			// The worker sees the error through its own wrapping.
			if got := IsTemporary(fmt.Errorf("outbox entry 7: %w", err)); got != tt.temporary {
				t.Errorf("IsTemporary = %v, want %v", got, tt.temporary)
			}
			if tt.match != nil && !tt.match(err) {
				t.Errorf("the cause is lost: %v", err)
			}
			if n := len(r.received()); n != 0 {
				t.Errorf("relay accepted %d messages despite the failure", n)
			}
			if tt.stage == StageMessage && r.sessionCount() != 0 {
				t.Error("an invalid message reached the relay")
			}
		})
	}
}

func TestSendStopsWhenContextIsCancelled(t *testing.T) {
	r := startRelay(t, relayStartTLS)
	r.dataStarted = make(chan struct{})
	const timeout = 20 * time.Second
	s := senderFor(t, r, TLSStartTLS, func(c *Config) { c.Timeout = timeout })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.Send(ctx, plainMessage("owner@example.org")) }()

	// The relay now holds the transaction open in DATA, as a stalled relay would.
	<-r.dataStarted
	cancel()
	err := <-done
	if elapsed := time.Since(start); elapsed >= timeout/2 {
		t.Errorf("Send took %v after cancellation; it waited for the command timeout", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want one wrapping context.Canceled", err)
	}
	if !IsTemporary(err) {
		t.Error("a cancelled attempt must be retried")
	}
}

func TestSendRefusesInvalidMessages(t *testing.T) {
	// Nothing listens here: an invalid message must be refused before any connection.
	s, err := NewSender(Config{Host: "127.0.0.1", Port: 1, From: vigilFrom, TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(m *Message)
	}{
		{"no recipients", func(m *Message) { m.To = nil }},
		{"malformed recipient", func(m *Message) { m.To = []string{"owner@example.org", "dpo at example.org"} }},
		{"empty subject", func(m *Message) { m.Subject = "  " }},
		{"subject with a line break", func(m *Message) { m.Subject = "Hi\r\nBcc: x@example.net" }},
		{"empty body", func(m *Message) { m.Text = "" }},
		{"no kind", func(m *Message) { m.Kind = "" }},
		{"kind with spaces", func(m *Message) { m.Kind = "an escalation" }},
		{"id with an at sign", func(m *Message) { m.ID = "1@evil" }},
		{"header outside X-Vigil-", func(m *Message) { m.Headers = map[string]string{"Reply-To": "x@example.net"} }},
		{"header overriding the kind", func(m *Message) { m.Headers = map[string]string{"x-vigil-kind": "other"} }},
		{"header value with a line break", func(m *Message) {
			m.Headers = map[string]string{"X-Vigil-Incident": "INC-1\r\nBcc: x@example.net"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := plainMessage("owner@example.org")
			tt.edit(&m)
			err := s.Send(context.Background(), m)
			var e *Error
			if !errors.Is(err, ErrInvalidMessage) || !errors.As(err, &e) || e.Stage != StageMessage {
				t.Fatalf("error = %v, want an *Error at stage message wrapping ErrInvalidMessage", err)
			}
			if IsTemporary(err) {
				t.Error("an invalid message was classed as temporary")
			}
		})
	}
}

func TestIsTemporaryForeignErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"cancelled", context.Canceled, true},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), true},
		{"invalid message", fmt.Errorf("x: %w", ErrInvalidMessage), false},
		{"unknown", errors.New("something odd"), true},
	}
	for _, tt := range tests {
		if got := IsTemporary(tt.err); got != tt.want {
			t.Errorf("%s: IsTemporary = %v, want %v", tt.name, got, tt.want)
		}
	}
}
