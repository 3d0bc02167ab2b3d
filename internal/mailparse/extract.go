package mailparse

import (
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

var (
	// Analysts and mail filters defang links so nobody clicks them: hxxp, example[.]com,
	// example(dot)com, https[:]//. They are refanged before extraction, never fetched.
	defangScheme = regexp.MustCompile(`(?i)\bh(?:xx|\*\*)p(s?)(?:\[:\]|:)?(?:\[://\]|//)`)
	defangDot    = regexp.MustCompile(`(?i)\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s?`)
	defangColon  = regexp.MustCompile(`\[:\]`)
	urlPattern   = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'\x60{}|\\^\[\]]+`)
)

// refang undoes the usual defanging. Each pattern runs only when a cheap substring test says
// it can match: most mail holds no defanged link, and the regular expressions were half the
// cost of parsing.
func refang(s string) string {
	low := strings.ToLower(s)
	if strings.Contains(low, "xxp") || strings.Contains(low, "**p") {
		s = defangScheme.ReplaceAllString(s, "http$1://")
	}
	for _, d := range []string{"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}"} {
		if strings.Contains(low, d) {
			s = defangDot.ReplaceAllString(s, ".")
			break
		}
	}
	if strings.Contains(s, "[:]") {
		s = defangColon.ReplaceAllString(s, ":")
	}
	return s
}

// normaliseURL returns the canonical form of a URL found in text, or "" when it is not an
// http(s) URL with a host: scheme and host lower case, default port and fragment dropped.
func normaliseURL(raw string) string {
	raw = strings.TrimRight(strings.TrimSpace(raw), ".,;:!?)'\">*")
	if len(raw) > 2048 {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(raw), "www.") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS") {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if host == "" || strings.ContainsAny(host, " \t") {
		return ""
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	u.Host = host
	if port != "" {
		u.Host += ":" + port
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// urls collects the distinct URLs of e's text and links, in order of appearance.
func (p *parser) urls(e *entity) []string {
	seen := map[string]bool{}
	var out []string
	add := func(raw string) {
		if len(out) >= p.l.MaxURLs {
			return
		}
		if u := normaliseURL(refang(raw)); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, t := range e.texts {
		for _, m := range urlPattern.FindAllString(refang(t.s), -1) {
			add(m)
		}
	}
	for _, h := range e.hrefs {
		add(h)
	}
	return out
}

// original finds the message a reporter forwarded: an attached message first, otherwise one
// quoted inline after a mail client's forwarding line.
func (p *parser) original(e *entity) *Original {
	if len(e.messages) > 0 {
		in := e.messages[0]
		h := in.header
		o := &Original{
			From:        firstAddress(h.Get("From")),
			ReplyTo:     addresses(h.Get("Reply-To")),
			ReturnPath:  msgID(h.Get("Return-Path")),
			Subject:     cleanHeader(h.Get("Subject")),
			MessageID:   msgID(h.Get("Message-Id")),
			URLs:        p.urls(in),
			Attachments: in.attachments,
		}
		o.Date, _ = h.Date()
		for _, r := range h["Received"] {
			o.Received = append(o.Received, cleanHeader(r))
		}
		o.IPs = publicIPs(o.Received)
		o.Auth = authResults(append(h["Authentication-Results"], h["Arc-Authentication-Results"]...))
		return o
	}
	return p.inlineOriginal(e)
}

var forwardMarker = regexp.MustCompile(`(?im)^[ \t>]*(?:-{2,}[ \t]*(?:forwarded|original) message[ \t]*-{2,}|begin forwarded message:)[ \t]*$`)

// inlineOriginal reads a forward quoted in the body: the header lines the mail client quoted
// after its marker, then the text.
func (p *parser) inlineOriginal(e *entity) *Original {
	text := e.text()
	low := strings.ToLower(text)
	if !strings.Contains(low, "forwarded message") && !strings.Contains(low, "original message") {
		return nil
	}
	loc := forwardMarker.FindStringIndex(text)
	if loc == nil {
		return nil
	}
	lines := strings.Split(text[loc[1]:], "\n")
	h := mail.Header{}
	i := 0
scan:
	for ; i < len(lines); i++ {
		line := strings.TrimLeft(strings.TrimSpace(lines[i]), ">* ")
		if line == "" {
			if len(h) > 0 {
				break scan
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || len(h) > 20 {
			break scan
		}
		k = strings.TrimRight(strings.TrimSpace(k), "*")
		// Outlook quotes addresses as "Name [mailto:addr]".
		v = strings.NewReplacer("[mailto:", "<", "]", ">").Replace(strings.TrimLeft(v, "* "))
		switch strings.ToLower(k) {
		case "from", "to", "subject", "date", "sent", "reply-to", "cc":
			h[strings.ToLower(k)] = []string{strings.TrimSpace(v)}
		default:
			break scan // the quoted header block has ended
		}
	}
	from := firstAddress(strings.Join(h["from"], ""))
	if from.Addr == "" || !strings.Contains(from.Addr, "@") {
		return nil
	}
	body := &entity{texts: []textPart{{s: strings.Join(lines[i:], "\n")}}, hrefs: e.hrefs}
	return &Original{
		From:        from,
		ReplyTo:     addresses(strings.Join(h["reply-to"], "")),
		Subject:     cleanHeader(strings.Join(h["subject"], "")),
		URLs:        p.urls(body),
		Attachments: e.attachments,
		Inline:      true,
	}
}

var ipv4Pattern = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)

// publicIPs are the globally routable IPv4 addresses in the Received chain: the hops a
// phishing message really came through, as opposed to the reporter's own network.
func publicIPs(received []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range received {
		for _, m := range ipv4Pattern.FindAllString(r, -1) {
			a, err := netip.ParseAddr(m)
			if err != nil || !a.IsGlobalUnicast() || a.IsPrivate() || seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

var authPattern = regexp.MustCompile(`(?i)\b(spf|dkim|dmarc)\s*=\s*([a-z]+)`)

// authResults takes the first SPF, DKIM and DMARC verdicts: the topmost
// Authentication-Results is the one the reporter's own server added.
func authResults(headers []string) Auth {
	var a Auth
	for _, h := range headers {
		for _, m := range authPattern.FindAllStringSubmatch(h, -1) {
			v := strings.ToLower(m[2])
			switch strings.ToLower(m[1]) {
			case "spf":
				a.SPF = firstNonEmpty(a.SPF, v)
			case "dkim":
				a.DKIM = firstNonEmpty(a.DKIM, v)
			case "dmarc":
				a.DMARC = firstNonEmpty(a.DMARC, v)
			}
		}
	}
	return a
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// autoReason says why a message looks sent by a program (RFC 3834 and the usual
// non-standard markers), or "" when it looks sent by a person. Vigil's own mail and bounces
// come first: they are what a loop is made of, whatever else they are marked with.
func autoReason(h mail.Header, from Address) string {
	lower := func(k string) string { return strings.ToLower(strings.TrimSpace(h.Get(k))) }
	local, _, _ := strings.Cut(strings.ToLower(from.Addr), "@")
	switch {
	case h.Get("X-Vigil-Kind") != "":
		return AutoVigil
	case strings.TrimSpace(h.Get("Return-Path")) == "<>":
		return AutoBounce + " (empty Return-Path)"
	case strings.HasPrefix(lower("Content-Type"), "multipart/report"):
		return AutoBounce + " (delivery report)"
	case local == "mailer-daemon" || local == "postmaster":
		return AutoBounce + " (from " + local + ")"
	}
	if v := lower("Auto-Submitted"); v != "" && v != "no" {
		return "auto-submitted: " + cut(cleanHeader(v), 40)
	}
	switch v := lower("Precedence"); v {
	case "bulk", "junk", "list", "auto_reply":
		return "precedence: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Reply"} {
		if h.Get(k) != "" {
			return strings.ToLower(k)
		}
	}
	if h.Get("List-Id") != "" {
		return "mailing list"
	}
	switch local {
	case "noreply", "no-reply", "do-not-reply", "donotreply":
		return "sent from " + local
	}
	return ""
}

// Auto reasons that mark a loop in the making rather than a person's out-of-office.
const (
	AutoVigil  = "sent by Vigil"
	AutoBounce = "bounce"
)

// Loops reports whether an auto reason is Vigil's own mail or a bounce.
func Loops(auto string) bool { return auto == AutoVigil || strings.HasPrefix(auto, AutoBounce) }
