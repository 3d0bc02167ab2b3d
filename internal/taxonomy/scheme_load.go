package taxonomy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSchemeSize bounds a scheme file. Real schemes are a few kilobytes.
const MaxSchemeSize = 1 << 20

// maxCombinations bounds the coverage check of a decision table (the product of the numbers
// of options). The NCSC scheme has 32 combinations.
const maxCombinations = 100_000

// SchemeError is a problem in a scheme file, located by line and field so that whoever
// maintains the file can fix it.
type SchemeError struct {
	File  string
	Line  int    // 1-based; 0 when the problem is the file as a whole
	Field string // JSON path such as "categories[2].rank"; "" for the document
	Msg   string
	Err   error // underlying cause, if any (e.g. a *json.SyntaxError)
}

func (e *SchemeError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *SchemeError) Unwrap() error { return e.Err }

// LoadScheme reads a severity scheme (JSON, see data/schemes/ncsc-uk.json) and validates it:
// well-formed JSON with no unknown or duplicate fields, required fields present, unique IDs
// and ranks, rules that name existing questions, options and categories, a decision table
// that covers every combination of answers, and a CSIRT contact when a notification
// threshold is set. name (usually the file name) prefixes every error. Problems in the file
// are *SchemeError with a line and a field; several are joined with errors.Join.
func LoadScheme(r io.Reader, name string) (*Scheme, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSchemeSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read scheme: %w", name, err)
	}
	if len(data) > MaxSchemeSize {
		return nil, &SchemeError{File: name, Msg: fmt.Sprintf("larger than %d bytes", MaxSchemeSize)}
	}
	if !utf8.Valid(data) {
		return nil, &SchemeError{File: name, Msg: "not valid UTF-8"}
	}
	l := &locator{name: name, data: data, pos: map[string]int64{}}
	if err := l.walk(); err != nil {
		return nil, err
	}
	var s Scheme
	if err := json.Unmarshal(data, &s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &SchemeError{File: name, Line: l.line(te.Offset), Field: l.pathAt(te.Offset),
				Msg: fmt.Sprintf("want %s, got %s", te.Type, te.Value), Err: err}
		}
		return nil, &SchemeError{File: name, Msg: err.Error(), Err: err}
	}
	v := &validator{l: l}
	v.scheme(&s)
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	return &s, nil
}

// schemeFields lists, for each object in a scheme file (by path pattern, "" the document,
// "categories[]" any category), the fields it may have. It is derived from the JSON tags of
// Scheme so that the check and the type cannot drift apart.
var schemeFields = func() map[string][]string {
	m := map[string][]string{}
	var add func(t reflect.Type, path string)
	add = func(t reflect.Type, path string) {
		switch t.Kind() {
		case reflect.Pointer:
			add(t.Elem(), path)
		case reflect.Slice:
			add(t.Elem(), path+"[]")
		case reflect.Struct:
			for f := range t.Fields() {
				tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				m[path] = append(m[path], tag)
				add(f.Type, joinPath(path, tag))
			}
		}
	}
	add(reflect.TypeFor[Scheme](), "")
	return m
}()

// locator walks a JSON document once, checking its syntax, refusing duplicate and unknown
// fields, and recording where each field starts so that later errors can name a line.
type locator struct {
	name string
	data []byte
	pos  map[string]int64 // JSON path -> byte offset of the field's key (or array element)
}

type frame struct {
	path    string
	object  bool
	wantKey bool
	key     string
	index   int
	seen    map[string]bool
}

func (l *locator) walk() error {
	dec := json.NewDecoder(bytes.NewReader(l.data))
	var stack []*frame
	done := false // the top-level value is complete
	for {
		off := l.skip(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			if !done {
				return &SchemeError{File: l.name, Line: l.line(off), Msg: "unexpected end of file"}
			}
			return nil
		}
		if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off = se.Offset
			}
			return &SchemeError{File: l.name, Line: l.line(off), Msg: "invalid JSON: " + err.Error(), Err: err}
		}
		if done {
			return &SchemeError{File: l.name, Line: l.line(off), Msg: "unexpected data after the scheme object"}
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		d, isDelim := tok.(json.Delim)
		switch {
		case isDelim && (d == '}' || d == ']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				done = true
			} else {
				stack[len(stack)-1].valueDone()
			}
			continue
		case top != nil && top.wantKey:
			key := tok.(string) // the decoder guarantees object keys are strings
			path := joinPath(top.path, key)
			if top.seen[key] {
				return &SchemeError{File: l.name, Line: l.line(off), Field: path, Msg: "duplicate field"}
			}
			top.seen[key] = true
			if allowed, ok := schemeFields[pattern(top.path)]; ok && !slices.Contains(allowed, key) {
				return &SchemeError{File: l.name, Line: l.line(off), Field: path,
					Msg: "unknown field (want one of " + strings.Join(allowed, ", ") + ")"}
			}
			l.pos[path] = off
			top.key, top.wantKey = key, false
			continue
		}
		if top == nil && d != '{' {
			return &SchemeError{File: l.name, Line: l.line(off), Msg: "a scheme is a JSON object"}
		}
		path := ""
		switch {
		case top == nil:
			l.pos[path] = off
		case top.object:
			path = joinPath(top.path, top.key)
		default:
			path = top.path + "[" + strconv.Itoa(top.index) + "]"
			l.pos[path] = off
		}
		if isDelim { // '{' or '['
			stack = append(stack, &frame{path: path, object: d == '{', wantKey: d == '{', seen: map[string]bool{}})
			continue
		}
		if top == nil {
			done = true
		} else {
			top.valueDone()
		}
	}
}

func (f *frame) valueDone() {
	if f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

// skip moves past the whitespace and separators json.Decoder.InputOffset leaves before the
// next token, so that the offset is where the token itself starts.
func (l *locator) skip(off int64) int64 {
	for off < int64(len(l.data)) && strings.IndexByte(" \t\r\n,:", l.data[off]) >= 0 {
		off++
	}
	return off
}

// line turns a byte offset into a 1-based line number.
func (l *locator) line(off int64) int {
	off = min(max(off, 0), int64(len(l.data)))
	return 1 + bytes.Count(l.data[:off], []byte{'\n'})
}

// pathAt returns the path of the last field that starts before off: the field whose value
// json.Unmarshal was reading when it stopped at off. (UnmarshalTypeError.Field leaves out
// array indices, which a long list of categories needs.)
func (l *locator) pathAt(off int64) string {
	best, at := "", int64(-1)
	for p, o := range l.pos {
		if o < off && o > at {
			best, at = p, o
		}
	}
	return best
}

// lineOf returns the line of path, or of its nearest ancestor recorded by walk (a missing
// field is reported at the object that should hold it).
func (l *locator) lineOf(path string) int {
	for {
		if off, ok := l.pos[path]; ok {
			return l.line(off)
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			if off, ok := l.pos[""]; ok {
				return l.line(off)
			}
			return 0
		}
		path = path[:i]
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// pattern replaces array indices by "[]": "questions[2].options[0]" -> "questions[].options[]".
func pattern(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] == '[' {
			for i+1 < len(path) && path[i+1] != ']' {
				i++
			}
		}
	}
	return b.String()
}

// validator checks the meaning of a decoded scheme and collects every problem found.
type validator struct {
	l    *locator
	errs []error
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, &SchemeError{File: v.l.name, Line: v.l.lineOf(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

// idPattern keeps IDs safe to store, to put in URLs and form values, and to compare.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func (v *validator) id(path, id string) {
	switch {
	case id == "":
		v.fail(path, "required")
	case !idPattern.MatchString(id):
		v.fail(path, "%q: want lower-case letters, digits, '.', '_' or '-' (at most 64)", id)
	}
}

func (v *validator) required(path, s string) {
	if strings.TrimSpace(s) == "" {
		v.fail(path, "required")
	}
}

func (v *validator) scheme(s *Scheme) {
	v.id("scheme", s.ID)
	v.required("name", s.Name)

	if len(s.Categories) == 0 {
		v.fail("categories", "at least one category is required")
	}
	ids, ranks := map[string]bool{}, map[int]bool{}
	for i, c := range s.Categories {
		p := fmt.Sprintf("categories[%d]", i)
		v.id(p+".id", c.ID)
		if ids[c.ID] && c.ID != "" {
			v.fail(p+".id", "%q is used by another category", c.ID)
		}
		ids[c.ID] = true
		switch {
		case c.Rank < 1:
			v.fail(p+".rank", "want a whole number from 1 (the most severe), got %d", c.Rank)
		case ranks[c.Rank]:
			v.fail(p+".rank", "%d is used by another category", c.Rank)
		}
		ranks[c.Rank] = true
		v.required(p+".name", c.Name)
	}

	if len(s.Questions) == 0 {
		v.fail("questions", "at least one question is required")
	}
	qids := map[string]bool{}
	for i, q := range s.Questions {
		p := fmt.Sprintf("questions[%d]", i)
		v.id(p+".id", q.ID)
		if qids[q.ID] && q.ID != "" {
			v.fail(p+".id", "%q is used by another question", q.ID)
		}
		qids[q.ID] = true
		v.required(p+".text", q.Text)
		if len(q.Options) < 2 {
			v.fail(p+".options", "at least two options are required")
		}
		oids := map[string]bool{}
		for j, o := range q.Options {
			op := fmt.Sprintf("%s.options[%d]", p, j)
			v.id(op+".id", o.ID)
			if oids[o.ID] && o.ID != "" {
				v.fail(op+".id", "%q is used by another option of %q", o.ID, q.ID)
			}
			oids[o.ID] = true
			v.required(op+".label", o.Label)
		}
	}

	if len(s.Rules) == 0 {
		v.fail("rules", "at least one rule is required")
	}
	for i, r := range s.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		if _, ok := s.Category(r.Category); !ok {
			v.fail(p+".category", "%q is not a category of the scheme", r.Category)
		}
		v.required(p+".because", r.Because)
		for _, qid := range slices.Sorted(maps.Keys(r.When)) {
			wp := p + ".when." + qid
			q := s.question(qid)
			if q == nil {
				v.fail(wp, "%q is not a question of the scheme", qid)
				continue
			}
			if len(r.When[qid]) == 0 {
				v.fail(wp, "list at least one option, or leave the question out to match any answer")
			}
			for _, o := range r.When[qid] {
				if q.option(o) == nil {
					v.fail(wp, "%q is not an option of question %q", o, qid)
				}
			}
		}
	}

	if s.NotifyAtOrAbove < 0 || (s.NotifyAtOrAbove > 0 && !ranks[s.NotifyAtOrAbove]) {
		v.fail("notify_csirt_at_or_above", "%d is not the rank of a category (0 or absent: never)", s.NotifyAtOrAbove)
	}
	if s.NotifyAtOrAbove > 0 {
		switch c := s.CSIRT; {
		case c == nil:
			v.fail("csirt", "required when notify_csirt_at_or_above is set: whom to tell")
		case strings.TrimSpace(c.Name) == "":
			v.fail("csirt.name", "required")
		case c.Phone == "" && c.Email == "" && c.URL == "" && c.Address == "":
			v.fail("csirt", "give at least one of phone, email, url or address")
		}
	}

	if len(v.errs) == 0 { // coverage is only meaningful for an otherwise valid table
		v.coverage(s)
	}
}

// coverage checks that every combination of answers matches a rule, so that Categorise
// always has an answer, and names the first few combinations that do not.
func (v *validator) coverage(s *Scheme) {
	n := 1
	for _, q := range s.Questions {
		n *= len(q.Options)
		if n > maxCombinations {
			v.fail("questions", "more than %d combinations of answers to check", maxCombinations)
			return
		}
	}
	idx := make([]int, len(s.Questions))
	a := Answers{}
	var missing []string
	for range n {
		parts := make([]string, len(s.Questions))
		for i, q := range s.Questions {
			a[q.ID] = q.Options[idx[i]].ID
			parts[i] = q.ID + "=" + a[q.ID]
		}
		if !slices.ContainsFunc(s.Rules, func(r Rule) bool { return r.matches(a) }) {
			missing = append(missing, strings.Join(parts, ", "))
		}
		for i := len(idx) - 1; i >= 0; i-- { // next combination, like an odometer
			idx[i]++
			if idx[i] < len(s.Questions[i].Options) {
				break
			}
			idx[i] = 0
		}
	}
	if len(missing) > 0 {
		shown := missing[:min(len(missing), 3)]
		v.fail("rules", "no rule covers %d combination(s) of answers, e.g. %s", len(missing), strings.Join(shown, "; "))
	}
}
