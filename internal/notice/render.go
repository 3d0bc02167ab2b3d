package notice

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/pack.txt templates/pack.html
var templateFS embed.FS

// funcs are shared by the text and HTML renderings, so both say the same thing.
var funcs = map[string]any{
	"when":    when,
	"missing": missingWords,
	"inc":     func(i int) int { return i + 1 },
	"join": func(ms []Missing) string {
		labels := make([]string, len(ms))
		for i, m := range ms {
			labels[i] = m.Label
		}
		return strings.Join(labels, "; ")
	},
	"needed": func(c Completeness, need string) []Missing {
		var out []Missing
		for _, m := range c.Missing {
			if string(m.Need) == need {
				out = append(out, m)
			}
		}
		return out
	},
}

var (
	packText = texttemplate.Must(texttemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/pack.txt"))
	packHTML = htmltemplate.Must(htmltemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/pack.html"))
)

// Text renders the pack as plain text laid out question by question in the order of the
// authority's online form, ready to paste.
func (p *Pack) Text() (string, error) {
	var b bytes.Buffer
	if err := packText.ExecuteTemplate(&b, "pack", p); err != nil {
		return "", fmt.Errorf("rendering the %s pack as text: %w", p.Authority, err)
	}
	return b.String(), nil
}

// HTML renders the pack as a standalone HTML document; every value is escaped.
func (p *Pack) HTML() (string, error) {
	var b bytes.Buffer
	if err := packHTML.ExecuteTemplate(&b, "pack", p); err != nil {
		return "", fmt.Errorf("rendering the %s pack as HTML: %w", p.Authority, err)
	}
	return b.String(), nil
}
