package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"

	"github.com/vigil-ir/vigil/internal/notice"
)

//go:embed templates/letter.html
var letterFS embed.FS

var letterTemplate = htmltemplate.Must(htmltemplate.New("").ParseFS(letterFS, "templates/letter.html"))

// RenderLetter words a letter to a person affected by a breach as an e-mail: the letter's
// text as the plain part and its paragraphs as HTML. Every value in it was merged as data and
// escaped by notice.Letter.HTML. The returned Message has Subject, Text, HTML and Kind set;
// the caller adds To and ID. Pass the letter's e-mail form (notice.Letter.ForEmail).
func RenderLetter(l notice.Letter) (Message, error) {
	subject := oneLine(l.Subject, 200)
	if subject == "" || strings.TrimSpace(l.Body) == "" {
		return Message{}, errors.New("mail: letter without a subject or a body")
	}
	var html bytes.Buffer
	// The body fragment is built by notice.Letter.HTML, which escapes every character of text.
	view := struct {
		Subject, Date string
		Body          htmltemplate.HTML
	}{subject, l.Date, htmltemplate.HTML(l.HTML())} //nolint:gosec // escaped by notice.Letter.HTML
	if err := letterTemplate.ExecuteTemplate(&html, "letter.html", view); err != nil {
		return Message{}, fmt.Errorf("mail: rendering the letter HTML: %w", err)
	}
	return Message{Subject: subject, Text: l.Text(), HTML: html.String(), Kind: "letter"}, nil
}
