package mailparse

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readMessage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "messages", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseForwardedAttachedPhish(t *testing.T) {
	m, err := Parse(readMessage(t, "phish-attached.eml"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Addr != "alice@example.org" || m.From.Name != "Alice Reporter" || m.MessageID != "report-1@example.org" {
		t.Errorf("sender = %+v, id %q", m.From, m.MessageID)
	}
	if m.Text != "Looks like phishing, please check." {
		t.Errorf("text = %q", m.Text)
	}
	o := m.Forwarded
	if o == nil {
		t.Fatal("no forwarded original found")
	}
	checks := []struct{ name, got, want string }{
		{"from", o.From.Addr, "helpdesk@evil.test"},
		{"from name", o.From.Name, "IT Helpdesk"},
		{"subject (RFC 2047)", o.Subject, "Your mailbox is full"},
		{"return-path", o.ReturnPath, "bounce@mailer.evil.test"},
		{"message-id", o.MessageID, "phish-1@evil.test"},
		{"spf", o.Auth.SPF, "fail"},
		{"dkim", o.Auth.DKIM, "none"},
		{"dmarc", o.Auth.DMARC, "fail"},
		{"ips", strings.Join(o.IPs, ","), "203.0.113.7"},
		{"received hops", fmt.Sprint(len(o.Received)), "2"},
		{"inline", fmt.Sprint(o.Inline), "false"},
	}
	if len(o.ReplyTo) == 1 {
		checks = append(checks, struct{ name, got, want string }{"reply-to", o.ReplyTo[0].Addr, "collect@evil-reply.test"})
	} else {
		t.Errorf("reply-to = %+v", o.ReplyTo)
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// The defanged link in the plain part and the same link in the HTML part are one URL;
	// the HTML-only link is normalised (case, default port, fragment).
	wantURLs := []string{"https://login.evil.test/reset?u=alice", "http://other.evil.test/x"}
	if !slices.Equal(o.URLs, wantURLs) {
		t.Errorf("urls = %q, want %q", o.URLs, wantURLs)
	}
	pdf, _ := base64.StdEncoding.DecodeString("JVBERi0xLjQKJcfsj6IKdHJhaWxlcgo=")
	if len(o.Attachments) != 1 || o.Attachments[0].Name != "invoice.pdf" || o.Attachments[0].Size != int64(len(pdf)) || o.Attachments[0].SHA256 != hashOf(pdf) {
		t.Errorf("original attachments = %+v", o.Attachments)
	}
	// The attached message itself is evidence, kept whole.
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "Your mailbox is full.eml" || m.Attachments[0].ContentType != "message/rfc822" {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	if m.Auto != "" {
		t.Errorf("a person's report counted as automatic: %q", m.Auto)
	}
}

func TestParseInlineForward(t *testing.T) {
	m, err := Parse(readMessage(t, "phish-inline.eml"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	o := m.Forwarded
	if o == nil || !o.Inline {
		t.Fatalf("inline original not found: %+v", o)
	}
	if o.From.Addr != "accounts@pay-evil.test" || o.Subject != "Invoice overdue" {
		t.Errorf("original = %+v", o)
	}
	want := []string{"http://www.pay-evil.test/invoice", "http://203.0.113.9/pay"}
	if !slices.Equal(o.URLs, want) {
		t.Errorf("urls = %q, want %q", o.URLs, want)
	}
}

func TestParseTextAndHeaders(t *testing.T) {
	tests := []struct {
		file, from, subject, text, auto string
	}{
		{"html-only.eml", "André <andre@example.org>", "Laptop stolen", "My laptop was stolen from the train.\n\nIt had the payroll file & more.", ""},
		{"autoreply.eml", "Carol <carol@example.org>", "Out of office: [INC-2026-00001] We received your report", "I am away until Monday.", "auto-submitted: auto-replied"},
		// The encoded CR LF in the subject must not survive as a line break, and a body in an
		// unknown charset that is not UTF-8 is read as Windows-1252 rather than refused.
		{"header-injection.eml", "x@example.org", "hello Bcc: victim@example.org", "ÿþ broken Ã bytes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Parse(readMessage(t, tt.file), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.From.String(); got != tt.from {
				t.Errorf("from = %q, want %q", got, tt.from)
			}
			if m.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.subject)
			}
			if m.Text != tt.text {
				t.Errorf("text = %q, want %q", m.Text, tt.text)
			}
			if m.Auto != tt.auto {
				t.Errorf("auto = %q, want %q", m.Auto, tt.auto)
			}
		})
	}
}

func TestAutoReasons(t *testing.T) {
	tests := []struct{ header, want string }{
		{"Auto-Submitted: no", ""},
		{"Auto-Submitted: auto-generated", "auto-submitted: auto-generated"},
		{"Precedence: bulk", "precedence: bulk"},
		{"Precedence: junk", "precedence: junk"},
		{"X-Autoreply: yes", "x-autoreply"},
		{"List-Id: <news.example.org>", "mailing list"},
		{"X-Vigil-Kind: acknowledgement", "sent by Vigil"},
		{"Return-Path: <>", "bounce (empty Return-Path)"},
		{"From: MAILER-DAEMON@example.org", "bounce (from mailer-daemon)"},
		{"X-Vigil-Kind: acknowledgement\r\nAuto-Submitted: auto-replied", "sent by Vigil"},
		{"Content-Type: multipart/report; report-type=delivery-status; boundary=x", "bounce (delivery report)"},
		{"From: no-reply@example.org", "sent from no-reply"},
	}
	for _, tt := range tests {
		raw := tt.header + "\r\nSubject: s\r\n"
		if !strings.HasPrefix(tt.header, "From:") {
			raw += "From: dave@example.org\r\n"
		}
		m, err := Parse([]byte(raw+"\r\nbody\r\n"), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Auto != tt.want {
			t.Errorf("%s: auto = %q, want %q", tt.header, m.Auto, tt.want)
		}
	}
}

func TestRefangAndNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hxxp://evil[.]test/a", "http://evil.test/a"},
		{"hXXps[:]//evil(dot)test", "https://evil.test/"},
		{"https://EVIL.test:443/Path?Q=1#x", "https://evil.test/Path?Q=1"},
		{"see www.evil.test.", "http://www.evil.test/"},
		{"ftp://evil.test/x", ""},
		{"https://user:pw@evil.test/", "https://evil.test/"},
	}
	for _, tt := range tests {
		p := &parser{l: DefaultLimits}
		got := p.urls(&entity{texts: []textPart{{s: tt.in}}})
		var want []string
		if tt.want != "" {
			want = []string{tt.want}
		}
		if !slices.Equal(got, want) {
			t.Errorf("urls(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

// zipBomb returns a small zip that would expand to n bytes.
func zipBomb(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("zeros.bin")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func withAttachment(name, ctype string, data []byte) []byte {
	return []byte("From: e@example.org\r\nSubject: file\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--b\r\n" +
		"Content-Type: " + ctype + "\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(data) + "\r\n--b--\r\n")
}

func nestedMessages(n int) []byte {
	msg := "From: a@example.org\r\nSubject: bottom\r\n\r\nbottom\r\n"
	for range n {
		msg = "From: a@example.org\r\nSubject: wrap\r\nContent-Type: message/rfc822\r\n\r\n" + msg
	}
	return []byte(msg)
}

func nestedMultiparts(n int) []byte {
	body := "Content-Type: text/plain\r\n\r\ndeep\r\n"
	for i := range n {
		b := fmt.Sprintf("b%d", i)
		body = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + body + "\r\n--" + b + "--\r\n"
	}
	return []byte("From: a@example.org\r\nSubject: deep\r\n" + body)
}

func manyParts(n int) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--x\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--x--\r\n")
	return []byte(b.String())
}

func TestBadInput(t *testing.T) {
	bomb := zipBomb(t, 64<<20)
	tests := []struct {
		name   string
		raw    []byte
		limits Limits
		reason string
		check  func(t *testing.T, m *Message)
	}{
		{name: "zip bomb is hashed, not expanded", raw: withAttachment("invoice.zip", "application/zip", bomb),
			check: func(t *testing.T, m *Message) {
				if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(bomb)) || m.Attachments[0].SHA256 != hashOf(bomb) {
					t.Errorf("attachments = %+v, want the %d compressed bytes", m.Attachments, len(bomb))
				}
			}},
		{name: "too large", raw: withAttachment("a.bin", "application/octet-stream", make([]byte, 4096)), limits: Limits{MaxSize: 1024}, reason: ReasonTooLarge},
		{name: "attachment too large", raw: withAttachment("a.bin", "application/octet-stream", make([]byte, 4096)), limits: Limits{MaxAttachment: 1000}, reason: ReasonAttachmentLarge},
		{name: "attached messages nested deep", raw: nestedMessages(50), reason: ReasonTooDeep},
		{name: "multiparts nested deep", raw: nestedMultiparts(50), reason: ReasonTooDeep},
		{name: "nesting within the limit", raw: nestedMultiparts(5), check: func(t *testing.T, m *Message) {
			if m.Text != "deep" {
				t.Errorf("text = %q", m.Text)
			}
		}},
		{name: "too many parts", raw: manyParts(500), reason: ReasonTooManyParts},
		{name: "no header at all", raw: []byte("\r\n\r\njust text"), reason: ReasonMalformed},
		{name: "broken boundary keeps what was read", raw: []byte("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--q\r\nBroken header line\r\n"),
			check: func(t *testing.T, m *Message) {
				if m.Text != "first" {
					t.Errorf("text = %q", m.Text)
				}
			}},
		{name: "multipart without boundary is text", raw: []byte("From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\nplain words\r\n"),
			check: func(t *testing.T, m *Message) {
				if m.Text != "plain words" {
					t.Errorf("text = %q", m.Text)
				}
			}},
		{name: "long text is cut", raw: []byte("From: a@example.org\r\n\r\n" + strings.Repeat("word ", 100)), limits: Limits{MaxText: 50},
			check: func(t *testing.T, m *Message) {
				if n := len([]rune(m.Text)); n != 50 {
					t.Errorf("text has %d runes, want 50", n)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.raw, tt.limits)
			if got := Reason(err); got != tt.reason {
				t.Fatalf("reason = %q (err %v), want %q", got, err, tt.reason)
			}
			if err == nil && tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

// corpus reads the committed sample, or with VIGIL_SPAMASSASSIN_DIR set the whole corpus
// unpacked from the npm package (its data/*/ directories), for a one-off measurement.
func corpus(t testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "spamassassin", "*.eml"))
	if dir := os.Getenv("VIGIL_SPAMASSASSIN_DIR"); dir != "" {
		files, err = filepath.Glob(filepath.Join(dir, "*", "*.txt"))
	}
	if err != nil || len(files) < 250 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	out := make([][]byte, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestCorpus parses every sample of the SpamAssassin corpus: real mail from 2002, ham and
// spam, with every sort of broken MIME and charset the period produced.
func TestCorpus(t *testing.T) {
	msgs := corpus(t)
	noSender, noText := 0, 0
	for i, raw := range msgs {
		m, err := Parse(raw, Limits{})
		if err != nil {
			t.Errorf("message %d: %v", i, err)
			continue
		}
		if m.From.Addr == "" {
			noSender++
		}
		if m.Text == "" && len(m.Attachments) == 0 {
			noText++
		}
	}
	// Some spam has an empty From or nothing but an image or an iframe; more than one message
	// in a hundred would mean senders or bodies lost by the parser.
	if noSender*100 > len(msgs) || noText*100 > len(msgs) {
		t.Errorf("of %d messages, %d gave no sender and %d neither text nor attachments", len(msgs), noSender, noText)
	}
}

// BenchmarkParseCorpus reports messages parsed per second over the corpus sample.
func BenchmarkParseCorpus(b *testing.B) {
	msgs := corpus(b)
	var size int64
	for _, m := range msgs {
		size += int64(len(m))
	}
	b.SetBytes(size / int64(len(msgs)))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := Parse(msgs[n%len(msgs)], Limits{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
