package mail

import (
	netmail "net/mail"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderAcknowledgementGolden(t *testing.T) {
	tests := []struct {
		name string
		ack  Acknowledgement
	}{
		{"created", Acknowledgement{Reference: "INC-2026-00042", Outcome: "created", InReplyTo: "report-1@example.net"}},
		{"appended", Acknowledgement{Reference: "INC-2026-00042", Outcome: "appended", InReplyTo: "reply-2@example.net"}},
		{"grouped", Acknowledgement{Reference: "INC-2026-00007", Outcome: "grouped", Phishing: true}},
		{"phishing", Acknowledgement{Reference: "INC-2026-00008", Outcome: "created", InReplyTo: "fwd-3@example.net", Phishing: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := RenderAcknowledgement(tt.ack)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != "acknowledgement" || !m.AutoReply || m.InReplyTo != tt.ack.InReplyTo {
				t.Errorf("kind %q, auto-reply %v, in-reply-to %q", m.Kind, m.AutoReply, m.InReplyTo)
			}
			if !strings.Contains(m.Subject, "["+tt.ack.Reference+"]") {
				t.Errorf("subject %q lacks the bracketed reference replies are threaded by", m.Subject)
			}
			got := "Subject: " + m.Subject + "\nIn-Reply-To: " + m.InReplyTo + "\n\n--- text ---\n" + m.Text
			golden(t, filepath.Join("testdata", "acknowledgement-"+tt.name+".golden"), got)
		})
	}
}

func TestRenderAcknowledgementRefuses(t *testing.T) {
	for _, a := range []Acknowledgement{
		{Reference: "INC-2026-00042\r\nBcc: x@example.org", Outcome: "created"},
		{Reference: "", Outcome: "created"},
		{Reference: "INC-2026-00042", Outcome: "deleted"},
	} {
		if _, err := RenderAcknowledgement(a); err == nil {
			t.Errorf("%+v rendered", a)
		}
	}
}

// The acknowledgement's threading header is built by Send; a Message-ID carrying a line
// break or brackets is refused before anything is sent.
func TestInReplyToRefusesInjection(t *testing.T) {
	s, err := NewSender(Config{Host: "127.0.0.1", Port: 2525, TLS: TLSNone, From: netmail.Address{Address: "vigil@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a@b\r\nBcc: x@example.org", "<a@b>", "a b@c"} {
		_, err := s.build(Message{To: []string{"r@example.org"}, Subject: "s", Text: "t", Kind: "acknowledgement", InReplyTo: id})
		if err == nil {
			t.Errorf("in-reply-to %q accepted", id)
		}
	}
}
