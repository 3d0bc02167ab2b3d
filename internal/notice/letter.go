package notice

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// Template kinds: a letter to each person affected, or a public statement when telling each
// person would take disproportionate effort (GDPR Art. 34(3)(c); DPJL 2018 Art. 20(7)(c)).
const (
	KindLetter          = "letter"
	KindPublicStatement = "public_statement"
)

// Template is an organisation's wording of a letter or public statement. Subject and Body
// are Go text templates over Merge; the organisation edits them, Vigil keeps each version.
type Template struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Limits on templates: long enough for any letter, short enough to keep rendering cheap.
const (
	MaxSubject = 200
	MaxBody    = 20000
)

// Merge is what a template can use. Recipient values are data: whatever a recipient's name
// holds ("{{.DPOName}}", "<script>") appears literally, because templates are parsed once,
// from the organisation's text, and never from what is merged into them.
type Merge struct {
	// About the organisation and the incident, the same in every letter.
	Organisation string
	DPOName      string
	DPOContact   string
	Ref          string
	Date         string
	// The content seed 002 requires, written for this incident.
	WhatHappened   string
	WhatData       string
	Consequences   string
	WhatWeAreDoing string
	WhatYouCanDo   string
	// About the recipient (empty in a public statement).
	Name    string
	Email   string
	Address []string
	// Fields are the recipient's other CSV columns by header, e.g. {{index .Fields "account"}}.
	Fields map[string]string
}

// Content is the incident-specific text of a letter run.
type Content struct {
	WhatHappened   string `json:"what_happened"`
	WhatData       string `json:"what_data"`
	Consequences   string `json:"consequences"`
	WhatWeAreDoing string `json:"what_we_are_doing"`
	WhatYouCanDo   string `json:"what_you_can_do"`
}

// Letter is a template merged for one recipient (or for the public).
type Letter struct {
	Subject string
	// Address is the recipient's postal address, printed above the body in a letter.
	Name    string
	Address []string
	Date    string
	Body    string
}

// Compiled is a parsed template ready to merge.
type Compiled struct {
	subject *template.Template
	body    *template.Template
	// custom are the recipient columns the template names as {{.Fields.column}}.
	custom []string
}

// allowed are the merge fields a template may name; anything else is refused when the
// template is saved, not when ten thousand letters are being merged.
var allowed = map[string]bool{"Organisation": true, "DPOName": true, "DPOContact": true, "Ref": true, "Date": true,
	"WhatHappened": true, "WhatData": true, "Consequences": true, "WhatWeAreDoing": true, "WhatYouCanDo": true,
	"Name": true, "Email": true, "Address": true, "Fields": true}

// Compile parses and checks a template: it must parse, name only known merge fields, and
// hold the content seed 002 requires.
func Compile(t Template) (*Compiled, error) {
	var errs []string
	if t.Kind != KindLetter && t.Kind != KindPublicStatement {
		errs = append(errs, fmt.Sprintf("kind: must be %s or %s", KindLetter, KindPublicStatement))
	}
	if strings.TrimSpace(t.Subject) == "" || len(t.Subject) > MaxSubject || strings.ContainsAny(t.Subject, "\r\n") {
		errs = append(errs, fmt.Sprintf("subject: enter a subject of one line, up to %d characters", MaxSubject))
	}
	if strings.TrimSpace(t.Body) == "" || len(t.Body) > MaxBody {
		errs = append(errs, fmt.Sprintf("body: enter the text, up to %d characters", MaxBody))
	}
	if len(errs) > 0 {
		return nil, &TemplateError{Problems: errs}
	}
	c := &Compiled{}
	var err error
	if c.subject, err = c.parseChecked("subject", t.Subject); err != nil {
		errs = append(errs, err.Error())
	}
	if c.body, err = c.parseChecked("body", t.Body); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) == 0 {
		// Seed 002: clear language, the DPO's contact, consequences, what we do and what they
		// can do. A template that leaves one out would send letters that break the law.
		for _, f := range []string{"DPOContact", "WhatHappened", "Consequences", "WhatWeAreDoing", "WhatYouCanDo"} {
			if !strings.Contains(t.Body, "."+f) {
				errs = append(errs, fmt.Sprintf("body: must use {{.%s}} (seed 002 requires it in every notice to the people affected)", f))
			}
		}
	}
	if len(errs) > 0 {
		return nil, &TemplateError{Problems: errs}
	}
	sample := sampleMerge()
	for _, f := range c.custom {
		sample.Fields[f] = "x"
	}
	if _, err := c.Merge(sample); err != nil {
		return nil, &TemplateError{Problems: []string{err.Error()}}
	}
	return c, nil
}

// TemplateError lists what is wrong with a template, each problem starting with its part.
type TemplateError struct{ Problems []string }

func (e *TemplateError) Error() string { return "letter template: " + strings.Join(e.Problems, "; ") }

func (c *Compiled) parseChecked(part, text string) (*template.Template, error) {
	t, err := template.New(part).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", part, strings.TrimPrefix(err.Error(), "template: "))
	}
	var bad []string
	walk(t.Tree.Root, func(n parse.Node) {
		switch n := n.(type) {
		case *parse.FieldNode:
			if !allowed[n.Ident[0]] {
				bad = append(bad, "{{."+strings.Join(n.Ident, ".")+"}}")
			}
			if n.Ident[0] == "Fields" && len(n.Ident) > 1 && !slices.Contains(c.custom, n.Ident[1]) {
				c.custom = append(c.custom, n.Ident[1])
			}
		case *parse.TemplateNode:
			bad = append(bad, "{{template}}")
		}
	})
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: unknown merge field %s; use %s", part, strings.Join(bad, ", "), "Name, Email, Address, Fields, Organisation, DPOName, DPOContact, Ref, Date, WhatHappened, WhatData, Consequences, WhatWeAreDoing, WhatYouCanDo")
	}
	return t, nil
}

// walk visits every node of a template tree.
func walk(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, f)
		}
	case *parse.ActionNode:
		walk(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parse.IfNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.RangeNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.WithNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.TemplateNode:
		walk(n.Pipe, f)
	}
}

func sampleMerge() Merge {
	return Merge{Organisation: "Org", DPOName: "DPO", DPOContact: "dpo@example.org", Ref: "INC-1", Date: "1 January 2026",
		WhatHappened: "x", WhatData: "x", Consequences: "x", WhatWeAreDoing: "x", WhatYouCanDo: "x",
		Name: "Name", Email: "a@example.org", Address: []string{"1 Street"}, Fields: map[string]string{}}
}

// CustomFields are the recipient columns the template needs, beyond name and address.
func (c *Compiled) CustomFields() []string { return c.custom }

// Merge fills the template for one recipient.
func (c *Compiled) Merge(m Merge) (Letter, error) {
	var subj, body bytes.Buffer
	if m.Fields == nil {
		m.Fields = map[string]string{}
	}
	if err := c.subject.Execute(&subj, m); err != nil {
		return Letter{}, mergeError(err)
	}
	if err := c.body.Execute(&body, m); err != nil {
		return Letter{}, mergeError(err)
	}
	// A subject is one line whatever a merged value holds: no header can be smuggled in.
	subject := strings.Join(strings.Fields(subj.String()), " ")
	return Letter{Subject: subject, Name: m.Name, Address: m.Address, Date: m.Date, Body: strings.TrimSpace(body.String())}, nil
}

func mergeError(err error) error {
	var ee template.ExecError
	if errors.As(err, &ee) {
		return fmt.Errorf("the template could not be merged: %s", strings.TrimPrefix(ee.Err.Error(), "template: "))
	}
	return fmt.Errorf("the template could not be merged: %w", err)
}

// ForEmail is the letter as e-mailed: an e-mail goes to an address, not an envelope, so the
// postal address block stays off it.
func (l Letter) ForEmail() Letter {
	l.Name, l.Address = "", nil
	return l
}

// Text is the letter as plain text: address block, date, then the body.
func (l Letter) Text() string {
	var b strings.Builder
	if l.Name != "" || len(l.Address) > 0 {
		if l.Name != "" {
			b.WriteString(l.Name + "\n")
		}
		for _, a := range l.Address {
			b.WriteString(a + "\n")
		}
		b.WriteString("\n")
	}
	if l.Date != "" {
		b.WriteString(l.Date + "\n\n")
	}
	b.WriteString(l.Body)
	b.WriteString("\n")
	return b.String()
}

// Blocks splits the body into paragraphs and headings. A paragraph of one short line with
// no closing punctuation is a heading ("What happened"), so organisations write templates as
// plain text and still get structured e-mails and PDFs. The last paragraph (the signature)
// is never a heading.
func (l Letter) Blocks() []Block {
	var out []Block
	for _, para := range strings.Split(strings.ReplaceAll(l.Body, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		heading := !strings.Contains(para, "\n") && len(para) <= 80 && !strings.ContainsAny(para[len(para)-1:], ".,:;!?)")
		out = append(out, Block{Heading: heading, Text: para})
	}
	if len(out) > 0 {
		out[len(out)-1].Heading = false
	}
	return out
}

// Block is a paragraph or a heading of a letter.
type Block struct {
	Heading bool
	Text    string
}

// HTML is the body as an HTML fragment: headings and paragraphs, every character of the text
// escaped.
func (l Letter) HTML() string {
	var b strings.Builder
	for _, bl := range l.Blocks() {
		text := strings.ReplaceAll(html.EscapeString(bl.Text), "\n", "<br>\n")
		if bl.Heading {
			b.WriteString("<h2>" + text + "</h2>\n")
		} else {
			b.WriteString("<p>" + text + "</p>\n")
		}
	}
	return b.String()
}

// LetterDate formats the date printed on letters.
func LetterDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006")
}

// DefaultTemplate is the wording Vigil starts from, in plain English after seed 002: what
// happened, what data, likely consequences, what we are doing, what you can do, and whom to
// contact.
func DefaultTemplate(kind string) Template {
	if kind == KindPublicStatement {
		return Template{Kind: kind, Subject: "Statement about a data breach at {{.Organisation}}", Body: defaultStatement}
	}
	return Template{Kind: KindLetter, Subject: "A data breach involving your personal information ({{.Ref}})", Body: defaultLetter}
}

const defaultLetter = `Dear {{.Name}},

We are writing to tell you about a data breach at {{.Organisation}} that involves your personal information. We are sorry that this has happened.

What happened

{{.WhatHappened}}

What information was involved

{{.WhatData}}

What this could mean for you

{{.Consequences}}

What we are doing

{{.WhatWeAreDoing}}

What you can do

{{.WhatYouCanDo}}

Who to contact

If you have any questions, please contact our data protection officer, {{.DPOName}}: {{.DPOContact}}. Please quote the reference {{.Ref}}.

You also have the right to complain to the data protection authority.

Yours sincerely,

{{.Organisation}}`

const defaultStatement = `{{.Organisation}} has had a data breach that may involve your personal information. We cannot contact everyone affected individually, so we are publishing this statement. We are sorry that this has happened.

What happened

{{.WhatHappened}}

What information was involved

{{.WhatData}}

What this could mean for you

{{.Consequences}}

What we are doing

{{.WhatWeAreDoing}}

What you can do

{{.WhatYouCanDo}}

Who to contact

If you think you may be affected or have any questions, please contact our data protection officer, {{.DPOName}}: {{.DPOContact}}. Please quote the reference {{.Ref}}.

You also have the right to complain to the data protection authority.

{{.Organisation}}, {{.Date}}`
