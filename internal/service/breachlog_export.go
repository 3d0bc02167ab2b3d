package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/csvsafe"
	"github.com/vigil-ir/vigil/internal/document"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// breachLogColumns are the spreadsheet columns of the breach log, one per field.
var breachLogColumns = []document.Column{
	{Header: "Reference", Width: 16}, {Header: "Title", Width: 40}, {Header: "TLP", Width: 8},
	{Header: "What happened", Width: 60}, {Header: "Data categories", Width: 30}, {Header: "People affected", Width: 12},
	{Header: "Records", Width: 10}, {Header: "Effects and likely consequences", Width: 50}, {Header: "Remedial action", Width: 50},
	{Header: "Risk", Width: 10}, {Header: "Recommendation", Width: 50}, {Header: "Decision", Width: 50},
	{Header: "Reasoning", Width: 60}, {Header: "Why not notified", Width: 50}, {Header: "Decided by", Width: 20},
	{Header: "Approved by", Width: 20}, {Header: "Occurred", Width: 17}, {Header: "Discovered", Width: 17},
	{Header: "Aware", Width: 17}, {Header: "Authority notified", Width: 17}, {Header: "People notified", Width: 17},
	{Header: "Hours to notify", Width: 10}, {Header: "Reason for delay", Width: 40},
}

func (e *BreachLogEntry) cells() []any {
	t := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var hours any
	if e.HoursToNotify != nil {
		hours = *e.HoursToNotify
	}
	return []any{e.Ref, e.Title, "TLP:" + strings.ToUpper(e.TLP), e.WhatHappened, e.DataCategories, e.People, e.Records, e.Effects,
		e.RemedialAction, e.Risk, e.Recommendation, e.Decision, e.Reasoning, e.WhyNotNotified, e.DecidedBy, e.ApprovedBy,
		t(e.OccurredAt), t(e.DiscoveredAt), t(e.AwareAt), t(e.NotifiedAuthorityAt), t(e.NotifiedSubjectsAt), hours, e.LateReason}
}

// pdfCells folds the fields into the columns a landscape page can hold.
func (e *BreachLogEntry) pdfCells() []string {
	date := func(label string, p *time.Time) string {
		if p == nil {
			return label + ":\n—"
		}
		return label + ":\n" + p.Format("2006-01-02 15:04")
	}
	hours := "—"
	if e.HoursToNotify != nil {
		hours = strconv.FormatFloat(*e.HoursToNotify, 'f', 1, 64) + " h"
	}
	lines := func(s ...string) string {
		var keep []string
		for _, v := range s {
			if v = strings.TrimSpace(v); v != "" && !strings.HasSuffix(v, ":") {
				keep = append(keep, v)
			}
		}
		return strings.Join(keep, "\n")
	}
	return []string{
		lines(e.Ref, e.Title, "TLP:"+strings.ToUpper(e.TLP)),
		lines(date("Occurred", e.OccurredAt), date("Discovered", e.DiscoveredAt), date("Aware", e.AwareAt),
			date("Authority notified", e.NotifiedAuthorityAt), date("People notified", e.NotifiedSubjectsAt), "Time to notify:\n"+hours),
		e.WhatHappened,
		lines("Categories: "+e.DataCategories, "People: "+e.People, "Records: "+e.Records),
		lines("Risk: "+e.Risk, e.Effects),
		e.RemedialAction,
		lines("Recommended: "+e.Recommendation, "Decision: "+e.Decision, "Decided by: "+e.DecidedBy, "Approved by: "+e.ApprovedBy),
		lines(e.WhyNotNotified, "Reason for delay: "+e.LateReason, e.Reasoning),
	}
}

// maxPDFEntries caps the PDF breach log: the PDF library holds the whole document in memory
// (about 28 MB per 1,000 entries, docs/PERFORMANCE.md), so an unbounded PDF could exhaust a
// server's memory. CSV and XLSX stream and have no cap.
var maxPDFEntries = 10_000

// pdfCellLines keeps a PDF row to about a third of a page; the CSV and XLSX carry every word.
const pdfCellLines = 16

var breachLogPDFColumns = []document.Column{
	{Header: "Reference and title", Width: 16, MaxLines: pdfCellLines}, {Header: "Dates (UTC)", Width: 19},
	{Header: "What happened", Width: 22, MaxLines: pdfCellLines}, {Header: "Data and people", Width: 14},
	{Header: "Effects", Width: 20, MaxLines: pdfCellLines}, {Header: "Remedial action", Width: 18, MaxLines: pdfCellLines},
	{Header: "Recommendation and decision", Width: 24, MaxLines: pdfCellLines},
	{Header: "Why not notified, delay, reasoning", Width: 24, MaxLines: pdfCellLines},
}

// ExportBreachLog writes the breach log for a period to w as CSV, XLSX, PDF or JSON. The export
// is recorded in the record of events (in its own transaction, before anything is written),
// then entries stream from the database to w one at a time.
func (s *Service) ExportBreachLog(ctx context.Context, p auth.Principal, r ExportRequest, w io.Writer) (ExportSummary, error) {
	var sum ExportSummary
	if !auth.Can(p, auth.ReadBreachLog, nil) {
		return sum, domain.ErrForbidden
	}
	if err := r.validate(FormatCSV, FormatXLSX, FormatPDF, FormatJSON); err != nil {
		return sum, err
	}
	filter := s.breachLogFilter(p, r.Period)
	n, err := s.store.CountBreachLog(ctx, filter)
	if err != nil {
		return sum, err
	}
	if r.Format == FormatPDF && n > maxPDFEntries {
		return sum, &domain.ValidationError{Fields: []domain.FieldError{{Field: "format", Message: fmt.Sprintf(
			"The period has %d entries; a PDF holds at most %d. Choose a shorter period, or CSV or XLSX, which have no limit", n, maxPDFEntries)}}}
	}
	if err := s.recordExport(ctx, p, "export.breach_log", r, n); err != nil {
		return sum, err
	}
	now := s.now()
	var row func(*BreachLogEntry) error
	var finish func() error
	switch r.Format {
	case FormatCSV:
		cw := csvsafe.NewWriter(w)
		if err := cw.Write(headers(breachLogColumns)); err != nil {
			return sum, err
		}
		row = func(e *BreachLogEntry) error { return cw.Write(csvCells(e.cells())) }
		finish = cw.Flush
	case FormatXLSX:
		wb := document.NewWorkbook(w)
		sh, err := wb.Sheet("Breach log", breachLogColumns)
		if err != nil {
			return sum, err
		}
		row = func(e *BreachLogEntry) error { return sh.Row(e.cells()...) }
		finish = wb.Close
	case FormatPDF:
		doc := document.NewPDF(document.Options{Title: "Personal data breach log", Marking: "TLP:" + strings.ToUpper(r.Audience),
			Generated: now, Author: "Vigil", Landscape: true})
		doc.Paragraph(fmt.Sprintf("Every personal data breach the organisation became aware of from %s (UTC), exercises excluded. "+
			"Derived from the incident records; it is not edited by hand. %d %s. Text marked above TLP:%s is withheld; every entry is listed. "+
			"Long texts end with … here; the CSV and XLSX exports hold them in full.",
			r.Period.Describe(), n, plural(n, "entry", "entries"), strings.ToUpper(r.Audience)))
		if n == 0 {
			doc.Paragraph("The log has no entries for this period.")
			finish = func() error { return doc.Write(w) }
			break
		}
		tab := doc.Table(breachLogPDFColumns)
		row = func(e *BreachLogEntry) error { tab.Row(e.pdfCells()...); return doc.Err() }
		finish = func() error { tab.End(); return doc.Write(w) }
	case FormatJSON:
		enc := json.NewEncoder(w)
		if _, err := fmt.Fprintf(w, `{"period":%s,"generated_at":%q,"tlp_audience":%q,"entries":[`, periodJSON(r.Period), now.UTC().Format(time.RFC3339), r.Audience); err != nil {
			return sum, err
		}
		row = func(e *BreachLogEntry) error {
			if sum.Rows > 0 {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			return enc.Encode(e)
		}
		finish = func() error { _, err := io.WriteString(w, "]}\n"); return err }
	}
	if row != nil {
		derive := func(e *store.BreachLogEntry) *BreachLogEntry { return logEntry(p, e, r.Audience) }
		err = s.pipeBreachLog(ctx, filter, derive, func(entry *BreachLogEntry) error {
			if entry.Withheld != "" {
				sum.Withheld++
			}
			if err := row(entry); err != nil {
				return err
			}
			sum.Rows++
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	if err := finish(); err != nil {
		return sum, fmt.Errorf("writing the breach log: %w", err)
	}
	return sum, nil
}

// pipeBreachLog reads the log on one goroutine, derives entries from the records on one
// worker per core (decoding the stored facts and decisions is most of an export's CPU), and
// hands them to fn in the log's order on this goroutine. Reading, deriving and rendering
// overlap; the channels' buffers bound the entries in flight.
func (s *Service) pipeBreachLog(ctx context.Context, f store.BreachLogFilter, derive func(*store.BreachLogEntry) *BreachLogEntry, fn func(*BreachLogEntry) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		in   []*store.BreachLogEntry
		out  []*BreachLogEntry
		done chan struct{}
	}
	const size = 64
	ordered, work := make(chan *batch, 8), make(chan *batch, 8)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range work {
				b.out = make([]*BreachLogEntry, len(b.in))
				for i, e := range b.in {
					b.out[i] = derive(e)
				}
				close(b.done)
			}
		})
	}
	read := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(work)
		cur := &batch{done: make(chan struct{})}
		// Every batch queued in order also goes to the workers, so each one's done closes.
		send := func() error {
			select {
			case ordered <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			work <- cur
			cur = &batch{done: make(chan struct{})}
			return nil
		}
		err := s.store.BreachLog(ctx, f, func(e *store.BreachLogEntry) error {
			if cur.in = append(cur.in, e); len(cur.in) == size {
				return send()
			}
			return nil
		})
		if err == nil && len(cur.in) > 0 {
			err = send()
		}
		read <- err
	}()
	var ferr error
	for b := range ordered {
		<-b.done
		for _, e := range b.out {
			if ferr != nil {
				break
			}
			if ferr = fn(e); ferr != nil {
				cancel() // the reader stops; what is queued drains
			}
		}
	}
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	return <-read
}

func (s *Service) recordExport(ctx context.Context, p auth.Principal, action string, r ExportRequest, rows int) error {
	data := map[string]any{"format": r.Format, "rows": rows, "tlp_audience": r.Audience, "period": r.Period.Describe()}
	if r.Quarter != "" {
		data["quarter"] = r.Quarter
	}
	return s.store.Write(ctx, func(tx *store.Tx) error { return tx.Append(s.entry(p, action, nil, data)) })
}

func headers(cols []document.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}

// csvCells formats typed cells the way people read them in a CSV file.
func csvCells(cells []any) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case nil:
		case string:
			out[i] = v
		case time.Time:
			out[i] = v.UTC().Format("2006-01-02 15:04")
		case float64:
			out[i] = strconv.FormatFloat(v, 'f', 1, 64)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

func periodJSON(p Period) string {
	b, _ := json.Marshal(map[string]any{"from": p.From, "to": p.To, "description": p.Describe()})
	return string(b)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
