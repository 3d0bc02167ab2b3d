package breach

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxDocumentSize bounds a facts document. Real documents are a few kilobytes; the bound
// keeps a hostile client from making the decoder hold an arbitrary amount of memory.
const MaxDocumentSize = 1 << 20

// InputError says what is wrong with a facts document and where. Its message is safe to show
// to the client that sent the document: it quotes only the offending field path and value.
type InputError struct {
	Path string // field path such as "confidentiality.exposure" or "jurisdictions[1]"; "" for the whole document
	Msg  string
	Err  error // underlying cause, if any (e.g. a *json.SyntaxError)
}

func (e *InputError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func (e *InputError) Unwrap() error { return e.Err }

// Decode reads one facts document from r and decodes it strictly (see DecodeFacts). Errors
// about the document are *InputError; an error reading r is returned wrapped.
func Decode(r io.Reader) (Facts, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return Facts{}, fmt.Errorf("read breach facts: %w", err)
	}
	return DecodeFacts(data)
}

// DecodeFacts decodes one facts document. It rejects invalid UTF-8, unknown fields, unknown
// enumeration values, duplicate keys, wrong types, trailing data, a missing or empty
// "jurisdictions", instants that are not RFC 3339, and aware_at before occurred_at. Each
// error is an *InputError naming the field path. JSON null is the same as an absent field.
func DecodeFacts(data []byte) (Facts, error) {
	if len(data) > MaxDocumentSize {
		return Facts{}, &InputError{Msg: fmt.Sprintf("document is larger than %d bytes", MaxDocumentSize)}
	}
	// encoding/json silently replaces invalid UTF-8 with U+FFFD; a breach log entry must say
	// exactly what the handler wrote, so refuse instead.
	if !utf8.Valid(data) {
		return Facts{}, &InputError{Msg: "document is not valid UTF-8"}
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	var f Facts
	present, err := d.object("", d.factsField(&f))
	if err != nil {
		return Facts{}, err
	}
	if !present {
		return Facts{}, &InputError{Msg: "want a JSON object, got null"}
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return Facts{}, &InputError{Msg: "trailing data after the facts object", Err: err}
	}
	if err := f.validate(); err != nil {
		return Facts{}, err
	}
	return f, nil
}

// validate checks the rules that span fields.
func (f *Facts) validate() error {
	if len(f.Jurisdictions) == 0 {
		return &InputError{Path: "jurisdictions", Msg: `required: name at least one of "UK", "EU", "JE"`}
	}
	if f.OccurredAt != nil && f.AwareAt != nil && f.AwareAt.Before(*f.OccurredAt) {
		return &InputError{Path: "aware_at", Msg: "is before occurred_at"}
	}
	return nil
}

// errUnknownField is returned by a field handler for a key it does not know.
var errUnknownField = errors.New("unknown field")

// decoder walks the token stream so that every error can name its field path, which
// encoding/json's DisallowUnknownFields does not do.
type decoder struct {
	dec *json.Decoder
}

type fieldFunc func(key, path string) error

// object reads one JSON object (or null, reported as present=false), calling field for each
// key with the key's full path.
func (d *decoder) object(path string, field fieldFunc) (present bool, err error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return false, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return false, d.typeError(path, "an object", tok)
	}
	var seen []string
	for d.dec.More() {
		tok, err := d.token(path)
		if err != nil {
			return false, err
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		kpath := joinPath(path, key)
		if slices.Contains(seen, key) {
			return false, &InputError{Path: kpath, Msg: "duplicate field"}
		}
		seen = append(seen, key)
		if err := field(key, kpath); err != nil {
			if errors.Is(err, errUnknownField) {
				return false, &InputError{Path: kpath, Msg: "unknown field"}
			}
			return false, err
		}
	}
	if _, err := d.token(path); err != nil { // the closing '}'
		return false, err
	}
	return true, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) token(path string) (json.Token, error) {
	tok, err := d.dec.Token()
	if err == io.EOF {
		return nil, &InputError{Path: path, Msg: "unexpected end of document", Err: io.ErrUnexpectedEOF}
	}
	if err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, &InputError{Msg: fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn), Err: err}
		}
		return nil, &InputError{Path: path, Msg: "invalid JSON", Err: err}
	}
	return tok, nil
}

func (d *decoder) typeError(path, want string, got json.Token) error {
	var desc string
	switch v := got.(type) {
	case json.Delim:
		desc = map[json.Delim]string{'{': "an object", '[': "an array"}[v]
	case string:
		desc = "a string"
	case json.Number:
		desc = "a number"
	case bool:
		desc = "a boolean"
	}
	return &InputError{Path: path, Msg: fmt.Sprintf("want %s, got %s", want, desc)}
}

func (d *decoder) factsField(f *Facts) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "schema":
			f.Schema, err = readEnum(d, path, isEnum(schemas))
		case "jurisdictions":
			f.Jurisdictions, err = readEnumList(d, path, isEnum(jurisdictions))
		case "eu_member_states":
			f.EUMemberStates, err = readEnumList(d, path, isCountry)
		case "eu_main_establishment":
			f.EUMainEstablishment, err = readEnum(d, path, isCountry)
		case "role":
			f.Role, err = readEnum(d, path, isEnum(roles))
		case "occurred_at":
			f.OccurredAt, err = d.instant(path)
		case "aware_at":
			f.AwareAt, err = d.instant(path)
		case "personal_data":
			f.PersonalData, err = readEnum(d, path, isEnum(personalDatas))
		case "subjects":
			_, err = d.object(path, d.subjectsField(&f.Subjects))
		case "data":
			_, err = d.object(path, d.dataField(&f.Data))
		case "confidentiality":
			_, err = d.object(path, d.confidentialityField(&f.Confidentiality))
		case "integrity":
			_, err = d.object(path, d.integrityField(&f.Integrity))
		case "availability":
			_, err = d.object(path, d.availabilityField(&f.Availability))
		case "protection":
			_, err = d.object(path, d.protectionField(&f.Protection))
		case "cause":
			_, err = d.object(path, d.causeField(&f.Cause))
		case "misuse_observed":
			f.MisuseObserved, err = d.boolean(path)
		case "ongoing":
			f.Ongoing, err = d.boolean(path)
		case "mitigations":
			f.Mitigations, err = d.stringList(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) subjectsField(s *Subjects) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "count":
			s.Count, err = d.count(path)
		case "count_is_estimate":
			s.CountIsEstimate, err = d.boolean(path)
		case "kinds":
			s.Kinds, err = readEnumList(d, path, isEnum(subjectKinds))
		case "vulnerable":
			s.Vulnerable, err = d.boolean(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) dataField(x *Data) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "categories":
			x.Categories, err = readEnumList(d, path, isCategory)
		case "records":
			x.Records, err = d.count(path)
		case "volume_per_subject":
			x.VolumePerSubject, err = readEnum(d, path, isEnum(volumes))
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) confidentialityField(c *Confidentiality) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "lost":
			c.Lost, err = d.boolean(path)
		case "exposure":
			c.Exposure, err = readEnum(d, path, isEnum(exposures))
		case "recipients":
			c.Recipients, err = d.count(path)
		case "exfiltration":
			c.Exfiltration, err = readEnum(d, path, isEnum(exfiltrations))
		case "recipient_bound_by_confidentiality":
			c.RecipientBoundByConfidentiality, err = d.boolean(path)
		case "recipient_confirmed_deletion":
			c.RecipientConfirmedDeletion, err = d.boolean(path)
		case "data_recovered":
			c.DataRecovered, err = d.boolean(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) integrityField(i *Integrity) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "lost":
			i.Lost, err = d.boolean(path)
		case "altered_data_used":
			i.AlteredDataUsed, err = d.boolean(path)
		case "recoverable":
			i.Recoverable, err = d.boolean(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) availabilityField(a *Availability) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "lost":
			a.Lost, err = d.boolean(path)
		case "permanent":
			a.Permanent, err = d.boolean(path)
		case "restored_within_hours":
			a.RestoredWithinHours, err = d.hours(path)
		case "impact_on_subjects":
			a.ImpactOnSubjects, err = readEnum(d, path, isEnum(impacts))
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) protectionField(p *Protection) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "encryption":
			p.Encryption, err = readEnum(d, path, isEnum(encryptions))
		case "key_compromised":
			p.KeyCompromised, err = d.boolean(path)
		case "password_hashing":
			p.PasswordHashing, err = readEnum(d, path, isEnum(hashings))
		case "pseudonymised":
			p.Pseudonymised, err = d.boolean(path)
		case "remote_wipe":
			p.RemoteWipe, err = d.boolean(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) causeField(c *Cause) fieldFunc {
	return func(key, path string) (err error) {
		switch key {
		case "malicious":
			c.Malicious, err = d.boolean(path)
		case "actor":
			c.Actor, err = readEnum(d, path, isEnum(actors))
		case "description":
			c.Description, err = d.str(path)
		default:
			err = errUnknownField
		}
		return err
	}
}

func (d *decoder) boolean(path string) (*bool, error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return nil, err
	}
	b, ok := tok.(bool)
	if !ok {
		return nil, d.typeError(path, "true or false", tok)
	}
	return &b, nil
}

// count reads a whole number of people, records or recipients.
func (d *decoder) count(path string) (*int64, error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return nil, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return nil, d.typeError(path, "a whole number", tok)
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || n < 0 {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("want a whole number of at least 0, got %s", num)}
	}
	return &n, nil
}

// hours reads a duration in hours; fractions are allowed ("restored within 0.5 hours").
func (d *decoder) hours(path string) (*float64, error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return nil, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return nil, d.typeError(path, "a number of hours", tok)
	}
	h, err := num.Float64()
	if err != nil || h < 0 || math.IsInf(h, 0) {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("want a number of hours of at least 0, got %s", num)}
	}
	return &h, nil
}

// text reads a string; null gives ok=false.
func (d *decoder) text(path string) (s string, ok bool, err error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return "", false, err
	}
	s, ok = tok.(string)
	if !ok {
		return "", false, d.typeError(path, "a string", tok)
	}
	return s, true, nil
}

func (d *decoder) str(path string) (string, error) {
	s, _, err := d.text(path)
	return s, err
}

func (d *decoder) instant(path string) (*time.Time, error) {
	s, ok, err := d.text(path)
	if err != nil || !ok {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("want an RFC 3339 instant such as 2026-11-20T09:15:00Z, got %q", s), Err: err}
	}
	return &t, nil
}

func (d *decoder) stringList(path string) ([]string, error) {
	return readList(d, path, false, d.text)
}

// readValid reads a string that valid accepts; null gives ok=false.
func readValid[T ~string](d *decoder, path string, valid func(T) bool) (v T, ok bool, err error) {
	s, ok, err := d.text(path)
	if err != nil || !ok {
		return "", false, err
	}
	if !valid(T(s)) {
		return "", false, &InputError{Path: path, Msg: fmt.Sprintf("unknown value %q", s)}
	}
	return T(s), true, nil
}

func isEnum[T ~string](allowed []T) func(T) bool {
	return func(v T) bool { return slices.Contains(allowed, v) }
}

func isCountry(c Country) bool { _, ok := eeaAuthorities[c]; return ok }

func isCategory(c Category) bool { _, ok := categoryScores[c]; return ok }

// readEnum reads one enumeration value; null reads as "" (absent).
func readEnum[T ~string](d *decoder, path string, valid func(T) bool) (T, error) {
	v, _, err := readValid(d, path, valid)
	return v, err
}

// readEnumList reads a list of distinct enumeration values: a repeated jurisdiction or
// category is a slip worth reporting.
func readEnumList[T ~string](d *decoder, path string, valid func(T) bool) ([]T, error) {
	return readList(d, path, true, func(p string) (T, bool, error) { return readValid(d, p, valid) })
}

// readList reads a JSON array (null reads as nil), naming elements path[i]. Elements may not
// be null.
func readList[T comparable](d *decoder, path string, unique bool, elem func(path string) (T, bool, error)) ([]T, error) {
	tok, err := d.token(path)
	if err != nil || tok == nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return nil, d.typeError(path, "an array", tok)
	}
	list := []T{}
	for i := 0; d.dec.More(); i++ {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		v, ok, err := elem(ipath)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &InputError{Path: ipath, Msg: "want a value, got null"}
		}
		if unique && slices.Contains(list, v) {
			return nil, &InputError{Path: ipath, Msg: fmt.Sprintf("duplicate value %q", fmt.Sprint(v))}
		}
		list = append(list, v)
	}
	if _, err := d.token(path); err != nil { // the closing ']'
		return nil, err
	}
	return list, nil
}
