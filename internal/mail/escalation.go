package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"
)

// Escalation is what an escalation e-mail says. It holds deliberately little: e-mail leaves
// the organisation's control, so the message names the incident only by reference and title
// and sends the reader to Vigil for everything else.
type Escalation struct {
	Reference string         // the incident's reference, e.g. INC-2025-0042
	Title     string         // the incident's title as recorded
	Clock     string         // what the deadline is for, e.g. "72-hour notification to the ICO"
	Due       time.Time      // when the clock runs out
	Now       time.Time      // the instant the message is written; passed in so tests pin it
	Location  *time.Location // the organisation's time zone, in which Due is shown
	URL       string         // absolute link to the incident page
	// Exercise marks an escalation of a drill incident: the subject starts with "[EXERCISE]" and
	// the body says so first, so nobody notifies a regulator about a rehearsal.
	Exercise bool
}

//go:embed templates/escalation.txt templates/escalation.html
var templateFS embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("").ParseFS(templateFS, "templates/escalation.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").ParseFS(templateFS, "templates/escalation.html"))
)

// maxTitle bounds the title in the subject and body: some titles are paragraphs, and a subject
// line that long is cut by mail clients anyway.
const (
	maxTitle        = 120
	maxSubjectTitle = 60
)

// escalationView is what the templates see: everything already worded.
type escalationView struct {
	Reference    string
	Title        string
	SubjectTitle string // the title cut shorter, so the subject's start stays readable
	Clock        string
	Due          string // e.g. "Friday 14 March 2025, 09:30 GMT"
	Exercise     bool
	DueNow       bool // within a minute either side of Due, where "less than a minute overdue" reads oddly
	Overdue      bool
	Remaining    string // "1 day 12 hours"; how long until Due, or how long since
	URL          string
}

// RenderEscalation words an escalation e-mail. The returned Message has Subject, Text, HTML and
// Kind set; the caller adds To and ID.
func RenderEscalation(e Escalation) (Message, error) {
	switch {
	case strings.TrimSpace(e.Reference) == "":
		return Message{}, errors.New("mail: escalation without an incident reference")
	case strings.TrimSpace(e.Clock) == "":
		return Message{}, errors.New("mail: escalation without a clock")
	case e.Due.IsZero() || e.Now.IsZero():
		return Message{}, errors.New("mail: escalation without due and current instants")
	case e.Location == nil:
		return Message{}, errors.New("mail: escalation without the organisation's time zone")
	}
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Message{}, fmt.Errorf("mail: escalation link %q is not an absolute http(s) URL", e.URL)
	}

	left := e.Due.Sub(e.Now)
	v := escalationView{
		Reference:    oneLine(e.Reference, 40),
		Title:        oneLine(e.Title, maxTitle),
		SubjectTitle: oneLine(e.Title, maxSubjectTitle),
		Clock:        oneLine(e.Clock, 80),
		Due:          e.Due.In(e.Location).Format("Monday 2 January 2006, 15:04 MST"),
		Exercise:     e.Exercise,
		DueNow:       left.Abs() < time.Minute,
		Overdue:      left <= -time.Minute,
		Remaining:    humanDuration(left.Abs()),
		URL:          u.String(),
	}
	if v.Title == "" {
		v.Title, v.SubjectTitle = "(untitled)", "(untitled)"
	}

	var subject, text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the escalation subject: %w", err)
	}
	if err := textTemplates.ExecuteTemplate(&text, "escalation.txt", v); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the escalation text: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "escalation.html", v); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the escalation HTML: %w", err)
	}
	return Message{
		Subject: strings.TrimSpace(subject.String()),
		Text:    text.String(),
		HTML:    html.String(),
		Kind:    "escalation",
	}, nil
}

// oneLine makes s safe for a header and a single line of text: control characters (a title
// with a line break could otherwise smuggle a header in) become spaces, runs of space collapse,
// and it is cut to at most max runes with an ellipsis.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// humanDuration words d in at most two units, rounded down to the minute: rounding down never
// promises more time than there is.
func humanDuration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	minutes := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return join(plural(days, "day"), plural(hours, "hour"))
	case hours > 0:
		return join(plural(hours, "hour"), plural(minutes, "minute"))
	case minutes > 0:
		return plural(minutes, "minute")
	}
	return "less than a minute"
}

func plural(n int, unit string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}
