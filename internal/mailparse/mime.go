package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
)

// parser carries the budget shared by a message and every message attached to it.
type parser struct {
	l     Limits
	parts int
}

type textPart struct {
	s    string
	html bool
}

// entity is one message (the received one, or one attached to it) after the walk.
type entity struct {
	header      mail.Header
	texts       []textPart
	hrefs       []string
	attachments []*Attachment
	messages    []*entity // attached messages (message/rfc822, .eml), parsed
}

func (e *entity) text() string {
	var b strings.Builder
	for _, t := range e.texts {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t.s)
	}
	return strings.TrimSpace(b.String())
}

// entity parses one message at depth. Header lines that are not headers are skipped rather
// than refused: spam and broken clients write them, and the rest of the message is still
// worth reading.
func (p *parser) entity(raw []byte, depth int) (*entity, error) {
	h, body := splitHeader(raw)
	if len(h) == 0 {
		return nil, reject(ReasonMalformed, "no header fields")
	}
	e := &entity{header: h}
	if err := p.walk(e, textproto.MIMEHeader(h), body, depth); err != nil {
		return nil, err
	}
	return e, nil
}

// splitHeader reads the header block leniently: continuation lines join the field before
// them, lines without a field name are dropped.
func splitHeader(raw []byte) (mail.Header, []byte) {
	h := mail.Header{}
	var name string
	var val strings.Builder
	flush := func() {
		if name != "" {
			h[name] = append(h[name], strings.TrimSpace(val.String()))
		}
		name = ""
		val.Reset()
	}
	rest := raw
	for len(rest) > 0 {
		line := rest
		next := []byte(nil)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, next = rest[:i], rest[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		rest = next
		if len(line) == 0 {
			flush()
			return h, rest
		}
		if line[0] == ' ' || line[0] == '\t' {
			if name != "" {
				val.WriteByte(' ')
				val.Write(bytes.TrimSpace(line))
			}
			continue
		}
		flush()
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !validFieldName(line[:colon]) {
			continue
		}
		name = textproto.CanonicalMIMEHeaderKey(string(line[:colon]))
		val.Write(line[colon+1:])
	}
	flush()
	return h, nil
}

func validFieldName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 127 {
			return false
		}
	}
	return true
}

// walk reads one MIME entity with header h and raw body into e.
func (p *parser) walk(e *entity, h textproto.MIMEHeader, body []byte, depth int) error {
	p.parts++
	if p.parts > p.l.MaxParts {
		return reject(ReasonTooManyParts, "more than %d MIME parts", p.l.MaxParts)
	}
	if depth > p.l.MaxDepth {
		return reject(ReasonTooDeep, "MIME parts nested more than %d deep", p.l.MaxDepth)
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || ctype == "" {
		ctype, params = "text/plain", map[string]string{}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = cleanHeader(name)

	if strings.HasPrefix(ctype, "multipart/") {
		return p.multipart(e, ctype, params["boundary"], body, depth)
	}
	data := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	isMessage := ctype == "message/rfc822" || strings.EqualFold(path.Ext(name), ".eml")
	switch {
	case isMessage:
		if name == "" {
			name = fmt.Sprintf("forwarded-message-%d.eml", len(e.messages)+1)
		}
		if err := p.attach(e, name, "message/rfc822", data); err != nil {
			return err
		}
		inner, err := p.entity(data, depth+1)
		if err != nil {
			if Reason(err) != ReasonMalformed {
				return err
			}
			return nil // an unreadable attached message is still kept as a file
		}
		e.messages = append(e.messages, inner)
		return nil
	case (ctype == "text/plain" || ctype == "text/html") && disp != "attachment" && name == "":
		s := decodeCharset(data, params["charset"])
		if ctype == "text/html" {
			text, hrefs := htmlText(s)
			e.texts = append(e.texts, textPart{s: text, html: true})
			e.hrefs = append(e.hrefs, hrefs...)
		} else {
			e.texts = append(e.texts, textPart{s: plainText(s)})
		}
		return nil
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d", len(e.attachments)+1)
		if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
			name += exts[0]
		}
	}
	return p.attach(e, name, ctype, data)
}

func (p *parser) attach(e *entity, name, ctype string, data []byte) error {
	if int64(len(data)) > p.l.MaxAttachment {
		return reject(ReasonAttachmentLarge, "attachment %q is %d bytes, the limit is %d", name, len(data), p.l.MaxAttachment)
	}
	if len(data) == 0 {
		return nil
	}
	e.attachments = append(e.attachments, &Attachment{Name: name, ContentType: ctype, Size: int64(len(data)), SHA256: hashOf(data), Content: data})
	return nil
}

// multipart walks the parts of a multipart body. A part that cannot be read ends the walk
// with what came before it. In multipart/alternative only one rendering of the text is kept,
// plain text when there is one, but links are collected from every rendering.
func (p *parser) multipart(e *entity, ctype, boundary string, body []byte, depth int) error {
	if boundary == "" {
		e.texts = append(e.texts, textPart{s: plainText(decodeCharset(body, ""))})
		return nil
	}
	alternative := ctype == "multipart/alternative"
	var choices []*entity
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextRawPart()
		if err != nil {
			break // io.EOF, or a broken boundary: keep what was read
		}
		// A part cut short (no closing boundary) is still read up to where it stops.
		data, readErr := io.ReadAll(part)
		if readErr != nil && len(data) == 0 {
			break
		}
		target := e
		if alternative {
			target = &entity{}
			choices = append(choices, target)
		}
		if err := p.walk(target, part.Header, data, depth+1); err != nil {
			return err
		}
		if readErr != nil {
			break
		}
	}
	if alternative {
		mergeAlternatives(e, choices)
	}
	return nil
}

func mergeAlternatives(e *entity, choices []*entity) {
	var chosen *entity
	for _, c := range choices {
		if len(c.texts) == 0 {
			continue
		}
		if chosen == nil || (!c.texts[0].html && chosen.texts[0].html) {
			chosen = c
		}
	}
	if chosen != nil {
		e.texts = append(e.texts, chosen.texts...)
	}
	for _, c := range choices {
		e.hrefs = append(e.hrefs, c.hrefs...)
		e.attachments = append(e.attachments, c.attachments...)
		e.messages = append(e.messages, c.messages...)
	}
}

// decodeTransfer undoes the transfer encoding, keeping whatever decoded before an error:
// half a broken attachment is still evidence.
func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		clean = bytes.TrimRight(clean, "=")
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, _ := base64.RawStdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		return out
	}
	return body
}
