// Package mailparse reads one raw RFC 5322 message (as received over SMTP or fetched from
// IMAP) into what incident intake needs: sender, subject, text, attachments with their
// SHA-256, auto-reply markers, and, for forwarded phishing, the original message's headers,
// URLs and attachments. It is pure: no I/O, no network (URLs are never fetched), no state.
//
// It is built on the standard library (net/mail, mime, mime/multipart) rather than a MIME
// library because the walk over parts is where the limits live: depth, part count, attachment
// size and text size are checked as the walk goes, and a broken part ends the walk with what
// was read so far instead of an error. Charsets come from golang.org/x/text; HTML is turned
// into text with the golang.org/x/net/html tokenizer.
//
// Hostile input is expected. Every limit has a default, a message over any of them is
// refused with a *RejectError naming the reason, archives are hashed but never opened (a zip
// bomb costs its compressed size), and decoded header values never contain line breaks.
package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Limits bound the work and memory one message may cost. Zero fields take the defaults.
type Limits struct {
	MaxSize       int64 // the raw message, in bytes
	MaxDepth      int   // nesting of multiparts and attached messages
	MaxParts      int   // MIME parts in all, attached messages included
	MaxAttachment int64 // one attachment, decoded
	MaxText       int   // runes of text kept for the description; more is cut, not refused
	MaxURLs       int   // distinct URLs kept per message; more are dropped, not refused
}

// DefaultLimits fit a forwarded phishing message with a few documents.
var DefaultLimits = Limits{MaxSize: 25 << 20, MaxDepth: 8, MaxParts: 100, MaxAttachment: 20 << 20, MaxText: 20000, MaxURLs: 200}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxSize <= 0 {
		l.MaxSize = d.MaxSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxAttachment <= 0 {
		l.MaxAttachment = d.MaxAttachment
	}
	if l.MaxText <= 0 {
		l.MaxText = d.MaxText
	}
	if l.MaxURLs <= 0 {
		l.MaxURLs = d.MaxURLs
	}
	return l
}

// Reasons a message is refused. They are stable words: the quarantine list shows them.
const (
	ReasonTooLarge        = "too-large"
	ReasonTooDeep         = "too-deep"
	ReasonTooManyParts    = "too-many-parts"
	ReasonAttachmentLarge = "attachment-too-large"
	ReasonMalformed       = "malformed"
)

// RejectError says why a message was refused.
type RejectError struct {
	Reason string // one of the Reason* constants
	Detail string
}

func (e *RejectError) Error() string { return "mail refused (" + e.Reason + "): " + e.Detail }

func reject(reason, format string, args ...any) error {
	return &RejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Reason returns the refusal reason of err, or "" when err is not a *RejectError.
func Reason(err error) string {
	var r *RejectError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Address is a mailbox: the display name decoded, the address as written.
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr"`
}

// Domain is the part of the address after the last @, lower-cased.
func (a Address) Domain() string {
	at := strings.LastIndexByte(a.Addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(a.Addr[at+1:])
}

func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	return a.Name + " <" + a.Addr + ">"
}

// Attachment is a file carried by a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Content     []byte `json:"-"`
}

// Auth is what the receiving server recorded in Authentication-Results.
type Auth struct {
	SPF   string `json:"spf,omitempty"`
	DKIM  string `json:"dkim,omitempty"`
	DMARC string `json:"dmarc,omitempty"`
}

// Original is a message someone forwarded to us: usually the phishing e-mail itself.
type Original struct {
	From       Address   `json:"from"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	ReturnPath string    `json:"return_path,omitempty"`
	Subject    string    `json:"subject"`
	MessageID  string    `json:"message_id,omitempty"`
	Date       time.Time `json:"date,omitzero"`
	// Received is the Received chain, newest (closest to the reporter) first, unfolded.
	Received []string `json:"received,omitempty"`
	// IPs are the public IPv4 addresses named in the Received chain, in chain order.
	IPs         []string      `json:"ips,omitempty"`
	Auth        Auth          `json:"auth"`
	URLs        []string      `json:"urls,omitempty"`
	Attachments []*Attachment `json:"attachments,omitempty"`
	// Inline is true when the original was quoted in the body rather than attached: only the
	// headers a mail client quotes (From, Date, Subject, To, Reply-To) are known then.
	Inline bool `json:"inline"`
}

// Message is a parsed message.
type Message struct {
	From      Address
	ReplyTo   []Address
	To        []Address
	Subject   string
	MessageID string // without angle brackets
	InReplyTo string
	Date      time.Time
	// Text is the body as plain text (HTML turned into text when there is no plain part),
	// cut to Limits.MaxText runes.
	Text        string
	Attachments []*Attachment
	URLs        []string
	// Auto says why the message looks machine-sent (auto-reply, bulk, bounce, Vigil's own
	// mail); "" for a message from a person. Such messages get no acknowledgement.
	Auto string
	// Forwarded is the forwarded original, when the message carries one.
	Forwarded *Original
}

// Parse reads raw under limits.
func Parse(raw []byte, l Limits) (*Message, error) {
	l = l.withDefaults()
	if int64(len(raw)) > l.MaxSize {
		return nil, reject(ReasonTooLarge, "the message is %d bytes, the limit is %d", len(raw), l.MaxSize)
	}
	p := &parser{l: l}
	raw = stripMboxLine(raw)
	e, err := p.entity(raw, 0)
	if err != nil {
		return nil, err
	}
	m := &Message{}
	h := e.header
	m.From = firstAddress(h.Get("From"))
	m.ReplyTo = addresses(h.Get("Reply-To"))
	m.To = addresses(h.Get("To"))
	m.Subject = cleanHeader(h.Get("Subject"))
	m.MessageID = msgID(h.Get("Message-Id"))
	m.InReplyTo = msgID(h.Get("In-Reply-To"))
	m.Date, _ = h.Date()
	m.Auto = autoReason(h, m.From)
	m.Attachments = e.attachments
	m.Text = cut(e.text(), l.MaxText)
	m.URLs = p.urls(e)
	m.Forwarded = p.original(e)
	return m, nil
}

// stripMboxLine drops a leading mbox "From " separator line, which mailbox exports and the
// SpamAssassin corpus carry but which is not a header.
func stripMboxLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func firstAddress(v string) Address {
	as := addresses(v)
	if len(as) == 0 {
		// An unparseable From is kept as text so the team still sees who it claims to be.
		return Address{Addr: cut(cleanHeader(v), 320)}
	}
	return as[0]
}

func addresses(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	list, err := addrParser.ParseList(v)
	if err != nil {
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: cleanHeader(a.Name), Addr: cleanHeader(a.Address)})
	}
	return out
}

var addrParser = mail.AddressParser{WordDecoder: wordDecoder}

// msgID returns a Message-ID without its angle brackets, or "" when v holds none.
func msgID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	v = cleanHeader(v)
	if v == "" || len(v) > 250 || strings.ContainsAny(v, " <>") {
		return ""
	}
	return v
}

// HeaderFrom reads only the From header of raw, for saying who sent a message that was
// refused before it could be parsed.
func HeaderFrom(raw []byte) Address {
	h, _ := splitHeader(stripMboxLine(raw[:min(len(raw), 256<<10)]))
	return firstAddress(h.Get("From"))
}
