package notice

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Recipient is one person a letter goes to, from one row of the uploaded file.
type Recipient struct {
	Row     int               `json:"row"` // the row in the file; the header is row 1
	Name    string            `json:"name"`
	Email   string            `json:"email,omitempty"`
	Address []string          `json:"address,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Limits on an uploaded list of recipients.
const (
	MaxRecipients  = 100_000
	MaxCell        = 1000
	maxErrorsShown = 50
)

// RowError is one problem in an uploaded file, by row (the header is row 1) and column.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// RecipientsError lists the problems of a file; nothing from it is used until all are fixed.
type RecipientsError struct {
	Errors []RowError
	// More counts problems beyond those listed.
	More int
}

func (e *RecipientsError) Error() string {
	parts := make([]string, 0, len(e.Errors))
	for _, r := range e.Errors {
		parts = append(parts, fmt.Sprintf("row %d: %s", r.Row, r.Message))
	}
	s := "recipients file: " + strings.Join(parts, "; ")
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

func (e *RecipientsError) add(row int, col, msg string) {
	if len(e.Errors) >= maxErrorsShown {
		e.More++
		return
	}
	e.Errors = append(e.Errors, RowError{Row: row, Column: col, Message: msg})
}

// Needs says what each recipient must have for the way letters are sent.
type Needs struct {
	Email   bool     // letters by e-mail
	Address bool     // letters by post
	Columns []string // columns the template names ({{.Fields.x}})
}

// addressColumns become the lines of a postal address, in the order of the file.
var addressColumns = []string{"town", "city", "county", "region", "postcode", "post_code", "zip", "country"}

func column(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
	switch h {
	case "full_name", "recipient", "recipient_name":
		return "name"
	case "e_mail", "email_address", "e_mail_address":
		return "email"
	}
	return h
}

// ParseRecipients reads a CSV file of recipients: a header row naming the columns ("name";
// "email"; address columns such as "address_1", "address_2", "town", "postcode"; any others
// become custom fields), then one row per person. A UTF-8 byte order mark is skipped.
// Every problem is reported with its row, and none of the file is used until it is clean.
func ParseRecipients(r io.Reader, needs Needs) ([]Recipient, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	errs := &RecipientsError{}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		errs.add(1, "", "the file is empty: the first row must name the columns, e.g. name,email,address_1,postcode")
		return nil, errs
	}
	if err != nil {
		errs.add(1, "", csvProblem(err))
		return nil, errs
	}
	cols := make([]string, len(header))
	nameCol, emailCol := -1, -1
	var addrCols []int
	seen := map[string]bool{}
	for i, h := range header {
		cols[i] = column(h)
		switch {
		case cols[i] == "":
			errs.add(1, "", fmt.Sprintf("column %d has no name", i+1))
		case seen[cols[i]]:
			errs.add(1, cols[i], fmt.Sprintf("the column %q appears twice", h))
		case cols[i] == "name":
			nameCol = i
		case cols[i] == "email":
			emailCol = i
		case strings.HasPrefix(cols[i], "address") || slices.Contains(addressColumns, cols[i]):
			addrCols = append(addrCols, i)
		}
		seen[cols[i]] = true
	}
	if nameCol < 0 {
		errs.add(1, "name", "there is no name column: the first row must name the columns, e.g. name,email,address_1,postcode")
	}
	if needs.Email && emailCol < 0 {
		errs.add(1, "email", "there is no email column, and letters are to be sent by e-mail")
	}
	if needs.Address && len(addrCols) == 0 {
		errs.add(1, "address", "there are no address columns (address_1, address_2, town, postcode…), and letters are to be posted")
	}
	for _, c := range needs.Columns {
		if !seen[c] {
			errs.add(1, c, fmt.Sprintf("the template uses {{.Fields.%s}} but the file has no column %q", c, c))
		}
	}
	if len(errs.Errors) > 0 {
		return nil, errs
	}
	var out []Recipient
	emails := map[string]int{}
	// Rows are counted as a spreadsheet shows them: a value spanning lines is one row.
	line := 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			errors.As(err, &pe)
			errs.add(line, "", csvProblem(err))
			if pe == nil || !errors.Is(pe.Err, csv.ErrFieldCount) {
				break // the reader cannot go on after a quoting error
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(out) >= MaxRecipients {
			errs.add(line, "", fmt.Sprintf("the file has more than %d recipients: split it into several runs", MaxRecipients))
			break
		}
		if len(rec) != len(cols) {
			errs.add(line, "", fmt.Sprintf("has %d columns but the header has %d", len(rec), len(cols)))
			continue
		}
		rp := Recipient{Row: line, Fields: map[string]string{}}
		ok := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			switch {
			case !utf8.ValidString(v):
				errs.add(line, cols[i], "is not valid UTF-8 text: save the file as CSV UTF-8")
				ok = false
			case len(v) > MaxCell:
				errs.add(line, cols[i], fmt.Sprintf("is longer than %d characters", MaxCell))
				ok = false
			case i == nameCol:
				rp.Name = strings.Join(strings.Fields(v), " ")
			case i == emailCol:
				rp.Email = v
			case slices.Contains(addrCols, i):
				for _, l := range strings.Split(v, "\n") {
					if l = strings.TrimSpace(l); l != "" {
						rp.Address = append(rp.Address, l)
					}
				}
			default:
				rp.Fields[cols[i]] = v
			}
		}
		if !ok {
			continue
		}
		if rp.Name == "" {
			errs.add(line, "name", "has no name")
		}
		if rp.Email != "" || needs.Email {
			a, err := netmail.ParseAddress(rp.Email)
			switch {
			case rp.Email == "":
				errs.add(line, "email", "has no e-mail address")
			case err != nil || a.Address != rp.Email || a.Name != "":
				errs.add(line, "email", fmt.Sprintf("%q is not an e-mail address", rp.Email))
			case needs.Email && emails[strings.ToLower(rp.Email)] != 0:
				errs.add(line, "email", fmt.Sprintf("%s is also in row %d: each person gets one letter", rp.Email, emails[strings.ToLower(rp.Email)]))
			default:
				emails[strings.ToLower(rp.Email)] = line
			}
		}
		if needs.Address && len(rp.Address) == 0 {
			errs.add(line, "address", "has no postal address")
		}
		out = append(out, rp)
	}
	if len(errs.Errors) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		errs.add(2, "", "the file has a header but no recipients")
		return nil, errs
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quotation mark is out of place: a value with quotes or commas must be wrapped in double quotes, and quotes inside doubled"
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return "has a different number of columns from the header"
		}
		return pe.Err.Error()
	}
	return "the file could not be read as CSV: " + err.Error()
}
