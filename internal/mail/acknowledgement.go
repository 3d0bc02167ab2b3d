package mail

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// Acknowledgement is what the reply to an e-mailed report says: the reference, and how to
// add to the report. It carries nothing of the report itself: the sender's address may be
// forged, and a reply that repeated the message would let anyone relay text through Vigil.
type Acknowledgement struct {
	Reference string // e.g. INC-2026-00042
	// Outcome is what intake did: "created" (a new report), "appended" (a reply added to an
	// existing one) or "grouped" (added to a phishing campaign reported before).
	Outcome string
	// InReplyTo is the Message-ID (without angle brackets) of the message acknowledged, so
	// the acknowledgement threads with it.
	InReplyTo string
	// Phishing adds the advice for someone who reported a suspicious e-mail.
	Phishing bool
}

//go:embed templates/acknowledgement.txt
var ackTemplateText string

var (
	ackTemplates = texttemplate.Must(texttemplate.New("acknowledgement.txt").Parse(ackTemplateText))
	referenceRE  = regexp.MustCompile(`^INC-\d{4}-\d{5,}$`)
)

// RenderAcknowledgement words an acknowledgement. The Message is marked as an automatic
// reply (Auto-Submitted: auto-replied, RFC 3834) so that auto-responders stay silent; the
// caller adds To and ID.
func RenderAcknowledgement(a Acknowledgement) (Message, error) {
	if !referenceRE.MatchString(a.Reference) {
		return Message{}, fmt.Errorf("mail: acknowledgement reference %q is not an incident reference", a.Reference)
	}
	switch a.Outcome {
	case "created", "appended", "grouped":
	default:
		return Message{}, errors.New("mail: acknowledgement outcome must be created, appended or grouped")
	}
	var subject, text bytes.Buffer
	if err := ackTemplates.ExecuteTemplate(&subject, "subject", a); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the acknowledgement subject: %w", err)
	}
	if err := ackTemplates.Execute(&text, a); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the acknowledgement: %w", err)
	}
	return Message{
		Subject:   strings.TrimSpace(subject.String()),
		Text:      text.String(),
		Kind:      "acknowledgement",
		InReplyTo: oneLine(a.InReplyTo, 250),
		AutoReply: true,
	}, nil
}
