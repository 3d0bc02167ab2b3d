package mailparse

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// wordDecoder decodes RFC 2047 encoded words in any charset the WHATWG encoding list knows;
// an unknown charset passes the bytes through, and cleanHeader then replaces what is not
// UTF-8, so a made-up charset costs a few replacement characters, never the message.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return input, nil
	}
	return enc.NewDecoder().Reader(input), nil
}}

// cleanHeader decodes a header value and makes it one safe line: encoded words can carry
// CR and LF, and a decoded Subject with a line break copied into an acknowledgement's headers
// would let a sender inject headers of their own.
func cleanHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	v = strings.ToValidUTF8(v, "\uFFFD")
	v = strings.Join(strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	return cut(v, 1000)
}

// decodeCharset turns a text body into UTF-8. An unknown or missing charset is read as UTF-8
// when the bytes are valid UTF-8 and as Windows-1252 otherwise (the usual truth of mail
// that does not say).
func decodeCharset(b []byte, charset string) string {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if utf8.Valid(b) {
			return string(b)
		}
		cs = "windows-1252"
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		if utf8.Valid(b) {
			return string(b)
		}
		enc = charmap.Windows1252
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// plainText normalises line ends and drops control characters other than newline and tab.
func plainText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// htmlText renders HTML as text for the description and returns the link targets it holds.
// Scripts, styles and the head are left out; block elements end lines.
func htmlText(s string) (string, []string) {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var hrefs []string
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyLines(b.String()), hrefs
		case html.TextToken:
			if skip == 0 {
				b.Write(bytes.Map(func(r rune) rune {
					if unicode.IsSpace(r) {
						return ' '
					}
					return r
				}, z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := false
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Blockquote:
				end = true
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if a == atom.A && string(k) == "href" {
					hrefs = append(hrefs, string(v))
				}
			}
			if end {
				b.WriteByte('\n')
			}
		}
	}
}

// tidyLines trims each line, collapses runs of spaces and keeps at most one blank line.
func tidyLines(s string) string {
	var b strings.Builder
	blank := true
	for _, line := range strings.Split(plainText(s), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			if !blank {
				b.WriteByte('\n')
			}
			blank = true
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
		blank = false
	}
	return strings.TrimSpace(b.String())
}

// cut keeps at most max runes of s, ending with an ellipsis when it cut.
func cut(s string, max int) string {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
