package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/domain"
)

// MaxBody caps request bodies; an incident report is text, and evidence files have their own upload path.
const MaxBody = 1 << 20

// fieldDecoder decodes one JSON member into the patch.
type fieldDecoder func(raw json.RawMessage, p *domain.Patch) string

// incidentFields are the writable fields of an incident, by JSON name. Anything else is an
// error naming the field: clients learn of typos instead of losing data silently.
var incidentFields = map[string]fieldDecoder{
	"title":     str(func(p *domain.Patch) *domain.Opt[string] { return &p.Title }),
	"nature":    str(func(p *domain.Patch) *domain.Opt[string] { return &p.Nature }),
	"systems":   str(func(p *domain.Patch) *domain.Opt[string] { return &p.Systems }),
	"people":    str(func(p *domain.Patch) *domain.Opt[string] { return &p.People }),
	"discovery": str(func(p *domain.Patch) *domain.Opt[string] { return &p.Discovery }),
	"owner":     str(func(p *domain.Patch) *domain.Opt[string] { return &p.Owner }),
	"channel": enum(func(p *domain.Patch, v string) {
		p.Channel = domain.Opt[domain.Channel]{Set: true, Value: domain.Channel(v)}
	}),
	"occurred_precision": enum(func(p *domain.Patch, v string) {
		p.OccurredPrecision = domain.Opt[domain.Precision]{Set: true, Value: domain.Precision(v)}
	}),
	"class": enum(func(p *domain.Patch, v string) {
		p.Class = domain.Opt[domain.TriageClass]{Set: true, Value: domain.TriageClass(v)}
	}),
	"personal_data": enum(func(p *domain.Patch, v string) {
		p.PersonalData = domain.Opt[domain.Tristate]{Set: true, Value: domain.Tristate(v)}
	}),
	"status": enum(func(p *domain.Patch, v string) {
		p.Status = domain.Opt[domain.Status]{Set: true, Value: domain.Status(v)}
	}),
	"near_miss":     boolean(func(p *domain.Patch) *domain.Opt[bool] { return &p.NearMiss }),
	"restricted":    boolean(func(p *domain.Patch) *domain.Opt[bool] { return &p.Restricted }),
	"exercise":      boolean(func(p *domain.Patch) *domain.Opt[bool] { return &p.Exercise }),
	"occurred_at":   instant(func(p *domain.Patch) *domain.Opt[*time.Time] { return &p.OccurredAt }),
	"discovered_at": instant(func(p *domain.Patch) *domain.Opt[*time.Time] { return &p.DiscoveredAt }),
	"aware_at":      instant(func(p *domain.Patch) *domain.Opt[*time.Time] { return &p.AwareAt }),
	"reported_at": func(raw json.RawMessage, p *domain.Patch) string {
		var t *time.Time
		if msg := decodeInstant(raw, &t); msg != "" {
			return msg
		}
		if t == nil {
			return "must be a date and time, e.g. 2026-11-20T09:15:00Z"
		}
		p.ReportedAt = domain.Opt[time.Time]{Set: true, Value: *t}
		return ""
	},
	"tags": func(raw json.RawMessage, p *domain.Patch) string {
		var tags []string
		if isNull(raw) {
			p.Tags = domain.Opt[[]string]{Set: true, Value: []string{}}
			return ""
		}
		if err := json.Unmarshal(raw, &tags); err != nil {
			return "must be a list of text tags"
		}
		p.Tags = domain.Opt[[]string]{Set: true, Value: tags}
		return ""
	},
	"rsit_class": str(func(p *domain.Patch) *domain.Opt[string] { return &p.RSITClass }),
	"rsit_type":  str(func(p *domain.Patch) *domain.Opt[string] { return &p.RSITType }),
	"ico_type":   str(func(p *domain.Patch) *domain.Opt[string] { return &p.ICOType }),
	"tlp":        str(func(p *domain.Patch) *domain.Opt[string] { return &p.TLP }),
	"pap":        str(func(p *domain.Patch) *domain.Opt[string] { return &p.PAP }),
	"severity":   func(raw json.RawMessage, p *domain.Patch) string { return "" }, // decoded with its members below
	"impact":     func(raw json.RawMessage, p *domain.Patch) string { return "" }, // decoded with its members below
	"reporter":   func(raw json.RawMessage, p *domain.Patch) string { return "" }, // decoded with its members below
	"reason": func(raw json.RawMessage, p *domain.Patch) string {
		if isNull(raw) {
			return ""
		}
		if err := json.Unmarshal(raw, &p.Reason); err != nil {
			return "must be text saying why the change is made"
		}
		return ""
	},
}

// readOnly fields appear in responses; sending them back is a mistake worth naming.
var readOnly = map[string]bool{"ref": true, "version": true, "created_at": true, "updated_at": true,
	"contained_at": true, "resolved_at": true, "closed_at": true, "merged_into": true, "links": true, "suggestion": true}

// DecodeIncident strictly decodes an incident document (full or partial) into a patch.
// Every problem is reported with its field; nothing is applied unless all is well.
func DecodeIncident(body []byte) (domain.Patch, error) {
	var p domain.Patch
	members, err := decodeObject(body, "")
	if err != nil {
		return p, err
	}
	v := &domain.ValidationError{}
	for name, raw := range members {
		switch {
		case name == "reporter":
			if msg := decodeReporter(raw, &p, v); msg != "" {
				v.Add("reporter", msg)
			}
		case name == "severity":
			decodeSeverity(raw, &p, v)
		case name == "impact":
			decodeImpact(raw, &p, v)
		case readOnly[name]:
			v.Add(name, "is set by Vigil and cannot be changed here")
		case incidentFields[name] != nil:
			if msg := incidentFields[name](raw, &p); msg != "" {
				v.Add(name, msg)
			}
		default:
			v.Add(cmp.Or(name, `""`), "is not a field of an incident") // an empty key is still named
		}
	}
	sortFields(v)
	return p, v.Err()
}

func decodeReporter(raw json.RawMessage, p *domain.Patch, v *domain.ValidationError) string {
	if isNull(raw) {
		p.Reporter = domain.Opt[domain.Reporter]{Set: true}
		return ""
	}
	members, err := decodeObject(raw, "reporter")
	if err != nil {
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			return ve.Fields[0].Message
		}
		return "must be an object with name, contact and relationship"
	}
	var r domain.Reporter
	for name, m := range members {
		var s string
		if !isNull(m) && json.Unmarshal(m, &s) != nil {
			v.Add("reporter."+name, "must be text")
			continue
		}
		switch name {
		case "name":
			r.Name = s
		case "contact":
			r.Contact = s
		case "relationship":
			r.Relationship = domain.Relationship(s)
		default:
			v.Add("reporter."+name, "is not a field of a reporter")
		}
	}
	p.Reporter = domain.Opt[domain.Reporter]{Set: true, Value: r}
	return ""
}

// decodeObject parses a JSON object into its members, refusing invalid UTF-8, trailing data
// and anything that is not an object.
func decodeObject(body []byte, field string) (map[string]json.RawMessage, error) {
	name := field
	if name == "" {
		name = "body"
	}
	bad := func(msg string) error {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: name, Message: msg}}}
	}
	if !utf8.Valid(body) {
		return nil, bad("is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, bad(fmt.Sprintf("is not valid JSON (at byte %d: %s)", se.Offset, se.Error()))
		case errors.As(err, &te):
			return nil, bad("must be a JSON object")
		case errors.Is(err, io.EOF):
			return nil, bad("is empty; send a JSON object")
		}
		return nil, bad("is not valid JSON: " + err.Error())
	}
	if members == nil {
		return nil, bad("must be a JSON object")
	}
	if len(bytes.Trim(body[dec.InputOffset():], " \t\r\n")) != 0 {
		return nil, bad("has data after the JSON object")
	}
	return members, nil
}

// sortFields orders problems by field so responses are stable.
func sortFields(v *domain.ValidationError) {
	sort.Slice(v.Fields, func(i, j int) bool { return v.Fields[i].Field < v.Fields[j].Field })
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func str(get func(*domain.Patch) *domain.Opt[string]) fieldDecoder {
	return func(raw json.RawMessage, p *domain.Patch) string {
		var s string
		if !isNull(raw) {
			if err := json.Unmarshal(raw, &s); err != nil {
				return "must be text"
			}
		}
		*get(p) = domain.Opt[string]{Set: true, Value: s}
		return ""
	}
}

func enum(set func(*domain.Patch, string)) fieldDecoder {
	return func(raw json.RawMessage, p *domain.Patch) string {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
			return "must be one of the listed values, as text"
		}
		set(p, s)
		return ""
	}
}

func boolean(get func(*domain.Patch) *domain.Opt[bool]) fieldDecoder {
	return func(raw json.RawMessage, p *domain.Patch) string {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil || isNull(raw) {
			return "must be true or false"
		}
		*get(p) = domain.Opt[bool]{Set: true, Value: b}
		return ""
	}
}

func instant(get func(*domain.Patch) *domain.Opt[*time.Time]) fieldDecoder {
	return func(raw json.RawMessage, p *domain.Patch) string {
		var t *time.Time
		if msg := decodeInstant(raw, &t); msg != "" {
			return msg
		}
		*get(p) = domain.Opt[*time.Time]{Set: true, Value: t}
		return ""
	}
}

func decodeInstant(raw json.RawMessage, dst **time.Time) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "must be a date and time as text, e.g. 2026-11-20T09:15:00Z"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "must be an RFC 3339 date and time with a time zone, e.g. 2026-11-20T09:15:00Z"
	}
	*dst = &t
	return ""
}
