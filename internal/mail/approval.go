package mail

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	texttemplate "text/template"
)

// Approval is what an e-mail asking approvers for a decision says. Like an escalation it
// names the incident only by reference and title and sends the reader to Vigil.
type Approval struct {
	Reference string // the incident's reference
	Title     string // the incident's title, already withheld when its marking forbids
	Kind      string // what needs approval, worded, e.g. "Closing an incident"
	URL       string // absolute link to the approvals page
	Exercise  bool   // the subject starts with "[EXERCISE]"
}

var approvalTemplate = texttemplate.Must(texttemplate.New("approval").Parse(`{{define "subject"}}{{if .Exercise}}[EXERCISE] {{end}}Approval needed: {{.Kind}} – {{.Reference}} {{.Title}}{{end}}
{{- if .Exercise}}EXERCISE: this incident is part of a drill.

{{end -}}
An approver's decision is needed on incident {{.Reference}} {{.Title}}:
{{.Kind}}.

Nothing takes effect until an approver other than the person who asked decides.
Open the approvals page to approve or reject it:
{{.URL}}

This is an automatic message from Vigil. It names the incident only by its
reference and title because e-mail can be read outside your organisation;
everything else is in Vigil.
`))

// RenderApproval words the e-mail; the caller adds To and ID.
func RenderApproval(a Approval) (Message, error) {
	if strings.TrimSpace(a.Reference) == "" || strings.TrimSpace(a.Kind) == "" {
		return Message{}, errors.New("mail: approval request without an incident reference or kind")
	}
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Message{}, fmt.Errorf("mail: approval link %q is not an absolute http(s) URL", a.URL)
	}
	v := a
	v.Reference, v.Kind, v.URL = oneLine(a.Reference, 40), oneLine(a.Kind, 80), u.String()
	v.Title = oneLine(a.Title, maxSubjectTitle)
	var subject, text bytes.Buffer
	if err := approvalTemplate.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the approval subject: %w", err)
	}
	if err := approvalTemplate.Execute(&text, v); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the approval text: %w", err)
	}
	return Message{Subject: strings.TrimSpace(subject.String()), Text: text.String(), Kind: "approval"}, nil
}
