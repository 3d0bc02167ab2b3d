// Package csvimport reads an existing breach log or incident spreadsheet (CSV) through a
// mapping file that says which column holds which Vigil field, and turns each row into the
// fields of an incident or a plain-English reason why it cannot be one. It does no database
// work; internal/service imports the rows.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Mapping is a mapping file (YAML; docs/IMPORT.md has an example).
type Mapping struct {
	// Source names the spreadsheet, e.g. "breach-log": with the source_id column it is the
	// key that makes importing the same sheet again update instead of duplicate.
	Source string `yaml:"source"`
	// Delimiter is the field separator: "," (default), ";" or "tab".
	Delimiter string `yaml:"delimiter"`
	// DateFormats are tried in order, written like DD/MM/YYYY or DD/MM/YYYY HH:mm.
	DateFormats []string `yaml:"date_formats"`
	// Timezone is where the sheet's dates and times were written (IANA name); default UTC.
	Timezone string `yaml:"timezone"`
	// Columns maps Vigil fields (Fields) to the sheet's column headers.
	Columns map[string]string `yaml:"columns"`
	// Values translates the sheet's words to Vigil's, per field: personal_data: {Y: yes}.
	Values map[string]map[string]string `yaml:"values"`
	// SeverityScheme is the scheme the severity column's categories belong to.
	SeverityScheme string `yaml:"severity_scheme"`

	loc     *time.Location
	layouts []layout
}

type layout struct {
	name, goLayout string
	timeOfDay      bool
}

// Fields are the Vigil fields a column can map to.
var Fields = []string{
	"source_id", "title", "nature", "systems", "people", "discovery",
	"occurred", "discovered", "reported", "aware",
	"class", "near_miss", "personal_data", "status", "rsit", "rsit_class", "rsit_type", "ico_type", "severity", "tlp",
	"reporter_name", "reporter_contact", "tags",
}

// ParseMapping reads and checks a mapping file; the error names every problem.
func ParseMapping(r io.Reader) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping file: %w", err)
	}
	var errs []string
	if strings.TrimSpace(m.Source) == "" {
		errs = append(errs, "source is required: it names the spreadsheet, e.g. source: breach-log")
	}
	switch m.Delimiter {
	case "", ",", ";", "tab", "\t", "|":
	default:
		errs = append(errs, fmt.Sprintf("delimiter %q must be \",\", \";\", \"|\" or \"tab\"", m.Delimiter))
	}
	if len(m.Columns) == 0 {
		errs = append(errs, "columns is required: it maps Vigil fields to the sheet's column headers")
	}
	for _, f := range sortedKeys(m.Columns) {
		if !slices.Contains(Fields, f) {
			errs = append(errs, fmt.Sprintf("columns: %q is not a Vigil field; use one of %s", f, strings.Join(Fields, ", ")))
		}
	}
	for _, f := range sortedKeys(m.Values) {
		if !slices.Contains(Fields, f) {
			errs = append(errs, fmt.Sprintf("values: %q is not a Vigil field", f))
		}
	}
	if _, ok := m.Columns["title"]; !ok {
		errs = append(errs, "columns: title is required")
	}
	if _, ok := m.Columns["severity"]; ok && m.SeverityScheme == "" {
		errs = append(errs, "severity_scheme is required with a severity column, e.g. severity_scheme: ncsc-uk")
	}
	m.loc = time.UTC
	if m.Timezone != "" {
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			errs = append(errs, fmt.Sprintf("timezone %q is not a time zone name such as Europe/London", m.Timezone))
		} else {
			m.loc = loc
		}
	}
	if len(m.DateFormats) == 0 {
		m.DateFormats = []string{"YYYY-MM-DD", "YYYY-MM-DD HH:mm", "YYYY-MM-DDTHH:mm:ssZ"}
	}
	for _, f := range m.DateFormats {
		l := layout{name: f, goLayout: goLayout(f)}
		l.timeOfDay = strings.Contains(l.goLayout, "15")
		m.layouts = append(m.layouts, l)
	}
	if len(errs) > 0 {
		return nil, errors.New("mapping file: " + strings.Join(errs, "; "))
	}
	return &m, nil
}

// goLayout turns DD/MM/YYYY HH:mm:ss into Go's reference layout.
func goLayout(f string) string {
	return strings.NewReplacer("YYYY", "2006", "YY", "06", "MM", "01", "DD", "02", "HH", "15", "mm", "04", "ss", "05", "Z", "Z07:00").Replace(f)
}

// Row is one row in Vigil's terms, or why it cannot be imported.
type Row struct {
	Where    string // "FILE row N", N counting the header as row 1, as spreadsheets do
	SourceID string
	Document string // the row as a JSON object of header to value
	Patch    domain.Patch
	Status   domain.Status
	Err      error
}

// Read reads the sheet and calls fn for every row that is not blank. A sheet that cannot be
// read (bad quoting, a header missing) is an error naming the line.
func (m *Mapping) Read(r io.Reader, name string, fn func(Row) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) // Excel writes a byte order mark
	cr := csv.NewReader(bytes.NewReader(data))
	switch m.Delimiter {
	case ";":
		cr.Comma = ';'
	case "tab", "\t":
		cr.Comma = '\t'
	case "|":
		cr.Comma = '|'
	}
	cr.FieldsPerRecord = -1 // short rows are padded below; spreadsheets drop trailing empties
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: the file is empty", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, f := range sortedKeys(m.Columns) {
		if _, ok := col[m.Columns[f]]; !ok {
			missing = append(missing, fmt.Sprintf("%q (for %s)", m.Columns[f], f))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: the header row has no column %s; it has %s", name, strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if blank(rec) {
			continue
		}
		cell := func(field string) string {
			h, ok := m.Columns[field]
			if !ok || col[h] >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[col[h]])
		}
		row := m.row(cell)
		if len(rec) > len(header) {
			row.Err = fmt.Errorf("the row has %d cells but the header has %d: is the delimiter %q inside a cell that is not quoted?", len(rec), len(header), cr.Comma)
		}
		row.Where = fmt.Sprintf("%s row %d", name, n)
		doc := map[string]string{}
		for i, h := range header {
			if i < len(rec) {
				doc[h] = rec[i]
			}
		}
		b, _ := json.Marshal(doc) // a map of strings always marshals
		row.Document = string(b)
		if err := fn(row); err != nil {
			return err
		}
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// row maps one row's cells; problems are collected so the reason names them all.
func (m *Mapping) row(cell func(string) string) Row {
	var r Row
	var errs []string
	val := func(field string) string {
		v := cell(field)
		if t, ok := lookupFold(m.Values[field], v); ok {
			return t
		}
		return v
	}
	set := func(field string, dst *domain.Opt[string]) {
		if _, ok := m.Columns[field]; ok {
			*dst = domain.Opt[string]{Set: true, Value: val(field)}
		}
	}
	p := &r.Patch
	set("title", &p.Title)
	set("nature", &p.Nature)
	set("systems", &p.Systems)
	set("people", &p.People)
	set("discovery", &p.Discovery)
	set("ico_type", &p.ICOType)
	set("tlp", &p.TLP)
	set("rsit_class", &p.RSITClass)
	set("rsit_type", &p.RSITType)
	r.SourceID = val("source_id")
	if _, ok := m.Columns["source_id"]; ok && r.SourceID == "" {
		errs = append(errs, "source_id is empty: without it the row cannot be imported again without duplicating it")
	}
	if v := strings.ToLower(val("rsit")); v != "" {
		c, t, ok := taxonomy.SplitRSIT(v)
		if !ok {
			errs = append(errs, fmt.Sprintf("rsit %q is not an RSIT class:type such as fraud:phishing", v))
		}
		p.RSITClass, p.RSITType = domain.Opt[string]{Set: true, Value: c}, domain.Opt[string]{Set: true, Value: t}
	}
	for _, d := range []struct {
		field string
		dst   *domain.Opt[*time.Time]
		prec  bool
	}{{"occurred", &p.OccurredAt, true}, {"discovered", &p.DiscoveredAt, false}, {"aware", &p.AwareAt, false}} {
		v := cell(d.field)
		if v == "" {
			continue
		}
		t, timeOfDay, err := m.date(v)
		if err != nil {
			errs = append(errs, d.field+" "+err.Error())
			continue
		}
		*d.dst = domain.Opt[*time.Time]{Set: true, Value: &t}
		if d.prec {
			prec := domain.PrecisionDay
			if timeOfDay {
				prec = domain.PrecisionExact
			}
			p.OccurredPrecision = domain.Opt[domain.Precision]{Set: true, Value: prec}
		}
	}
	if v := cell("reported"); v != "" {
		if t, _, err := m.date(v); err != nil {
			errs = append(errs, "reported "+err.Error())
		} else {
			p.ReportedAt = domain.Opt[time.Time]{Set: true, Value: t}
		}
	}
	if v := strings.ToLower(val("class")); v != "" {
		p.Class = domain.Opt[domain.TriageClass]{Set: true, Value: domain.TriageClass(v)}
	}
	if v := strings.ToLower(val("personal_data")); v != "" {
		p.PersonalData = domain.Opt[domain.Tristate]{Set: true, Value: domain.Tristate(v)}
	}
	if v := strings.ToLower(val("near_miss")); v != "" {
		b, ok := yesNo(v)
		if !ok {
			errs = append(errs, fmt.Sprintf("near_miss %q must be yes or no", v))
		}
		p.NearMiss = domain.Opt[bool]{Set: true, Value: b}
	}
	if v := strings.ToLower(val("status")); v != "" {
		r.Status = domain.Status(v)
	}
	if v := val("severity"); v != "" {
		p.Severity = domain.Opt[*domain.Severity]{Set: true, Value: &domain.Severity{Scheme: m.SeverityScheme, Category: v}}
	}
	if v := val("reporter_name"); v != "" || cell("reporter_contact") != "" {
		p.Reporter = domain.Opt[domain.Reporter]{Set: true, Value: domain.Reporter{Name: v, Contact: val("reporter_contact")}}
	}
	if v := val("tags"); v != "" {
		tags := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' })
		p.Tags = domain.Opt[[]string]{Set: true, Value: tags}
	}
	if len(errs) > 0 {
		r.Err = errors.New(strings.Join(errs, "; "))
	}
	return r
}

// date reads a date in the mapping's formats and time zone; timeOfDay says the format had one.
func (m *Mapping) date(v string) (t time.Time, timeOfDay bool, err error) {
	for _, l := range m.layouts {
		if t, err := time.ParseInLocation(l.goLayout, v, m.loc); err == nil {
			return t, l.timeOfDay, nil
		}
	}
	names := make([]string, len(m.layouts))
	for i, l := range m.layouts {
		names[i] = l.name
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date in the format %s", v, strings.Join(names, " or "))
}

func yesNo(v string) (bool, bool) {
	switch v {
	case "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0", "":
		return false, true
	}
	return false, false
}

func lookupFold(m map[string]string, k string) (string, bool) {
	for from, to := range m {
		if strings.EqualFold(strings.TrimSpace(from), k) {
			return to, true
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
