package service

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/csvsafe"
	"github.com/vigil-ir/vigil/internal/document"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// Time-to-report bands of the quarterly return, measured from awareness to the first
// notification to a regulator. 72 hours exactly is within the GDPR deadline, so it belongs to
// the 24–72 h band.
const (
	BandUnder24h    = "Under 24 hours"
	Band24To72h     = "24 to 72 hours"
	Band72hTo1w     = "72 hours to 1 week"
	BandOver1w      = "Over 1 week"
	BandNotReported = "Not reported (personal data breaches)"
)

var bands = []string{BandUnder24h, Band24To72h, Band72hTo1w, BandOver1w, BandNotReported}

// ReturnCount is one line of a breakdown.
type ReturnCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Return is the quarterly return on security incidents (seed 003): counts of the incidents
// recorded in the quarter, exercises excluded.
type Return struct {
	Quarter              string        `json:"quarter"`
	From                 time.Time     `json:"from"`
	To                   time.Time     `json:"to"`
	Incidents            int           `json:"incidents"`
	NearMisses           int           `json:"near_misses"`
	PersonalDataBreaches int           `json:"personal_data_breaches"`
	ReportedToRegulator  int           `json:"reported_to_regulator"`
	ByClass              []ReturnCount `json:"by_triage_class"`
	BySeverity           []ReturnCount `json:"by_severity"`
	ByRSIT               []ReturnCount `json:"by_rsit_type"`
	ByICO                []ReturnCount `json:"by_ico_type"`
	TimeToReport         []ReturnCount `json:"time_to_report"`
}

// section is one titled breakdown, as every format lays it out.
type section struct {
	title string
	rows  []ReturnCount
}

func (r *Return) sections() []section {
	return []section{
		{"Totals", []ReturnCount{{"Incidents", r.Incidents}, {"Near misses", r.NearMisses},
			{"Personal data breaches", r.PersonalDataBreaches}, {"Reported to a regulator", r.ReportedToRegulator}}},
		{"By triage class", r.ByClass},
		{"By severity category", r.BySeverity},
		{"By type (RSIT)", r.ByRSIT},
		{"By type (ICO)", r.ByICO},
		{"Time to report to a regulator", r.TimeToReport},
	}
}

// QuarterlyReturn counts the incidents recorded in a quarter ("2026Q3") in one streamed pass.
func (s *Service) QuarterlyReturn(ctx context.Context, p auth.Principal, quarter string) (*Return, error) {
	if !auth.Can(p, auth.ReadReturn, nil) {
		return nil, domain.ErrForbidden
	}
	per, q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, err
	}
	r := &Return{Quarter: q, From: *per.From, To: *per.To}
	class, sev, rsit, ico, band := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	orNone := func(s string) string {
		if s == "" {
			return "(not recorded)"
		}
		return s
	}
	err = s.store.ReturnItems(ctx, s.orgID, *per.From, *per.To, func(it *store.ReturnItem) error {
		r.Incidents++
		class[orNone(it.Class)]++
		sevKey := "(not graded)"
		if it.SeverityCategory != "" {
			sevKey = it.SeverityScheme + ": " + it.SeverityCategory
		}
		sev[sevKey]++
		rsitKey := orNone(it.RSITClass)
		if it.RSITType != "" {
			rsitKey += " / " + it.RSITType
		}
		rsit[rsitKey]++
		ico[orNone(it.ICOType)]++
		if it.NearMiss {
			r.NearMisses++
		}
		if it.PersonalDataBreach {
			r.PersonalDataBreaches++
		}
		switch {
		case it.FirstRegulatorNotice != nil:
			r.ReportedToRegulator++
			band[reportBand(it.FirstRegulatorNotice.Sub(it.Since))]++
		case it.PersonalDataBreach:
			band[BandNotReported]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.ByClass, r.BySeverity, r.ByRSIT, r.ByICO = sortedCounts(class), sortedCounts(sev), sortedCounts(rsit), sortedCounts(ico)
	for _, b := range bands {
		r.TimeToReport = append(r.TimeToReport, ReturnCount{b, band[b]})
	}
	return r, nil
}

func reportBand(d time.Duration) string {
	switch {
	case d < 24*time.Hour:
		return BandUnder24h
	case d <= 72*time.Hour:
		return Band24To72h
	case d <= 7*24*time.Hour:
		return Band72hTo1w
	}
	return BandOver1w
}

func sortedCounts(m map[string]int) []ReturnCount {
	out := make([]ReturnCount, 0, len(m))
	for k, n := range m {
		out = append(out, ReturnCount{k, n})
	}
	slices.SortFunc(out, func(a, b ReturnCount) int { return strings.Compare(a.Key, b.Key) })
	return out
}

var returnColumns = []document.Column{{Header: "Section", Width: 30}, {Header: "Item", Width: 45}, {Header: "Count", Width: 10}}

// ExportReturn writes the quarterly return as CSV, XLSX or PDF, recording the export first.
func (s *Service) ExportReturn(ctx context.Context, p auth.Principal, r ExportRequest, w io.Writer) (*Return, error) {
	if err := r.validate(FormatCSV, FormatXLSX, FormatPDF); err != nil {
		return nil, err
	}
	ret, err := s.QuarterlyReturn(ctx, p, r.Quarter)
	if err != nil {
		return nil, err
	}
	r.Quarter = ret.Quarter
	r.Period = Period{From: &ret.From, To: &ret.To}
	if err := s.recordExport(ctx, p, "export.return", r, ret.Incidents); err != nil {
		return nil, err
	}
	if err := s.writeReturn(ret, r, w); err != nil {
		return nil, fmt.Errorf("writing the quarterly return: %w", err)
	}
	return ret, nil
}

// writeReturn renders the return in the requested format.
func (s *Service) writeReturn(ret *Return, r ExportRequest, w io.Writer) error {
	secs := ret.sections()
	switch r.Format {
	case FormatCSV:
		cw := csvsafe.NewWriter(w)
		if err := cw.Write(headers(returnColumns)); err != nil {
			return err
		}
		for _, sec := range secs {
			for _, c := range sec.rows {
				if err := cw.Write([]string{sec.title, c.Key, fmt.Sprint(c.Count)}); err != nil {
					return err
				}
			}
		}
		return cw.Flush()
	case FormatXLSX:
		wb := document.NewWorkbook(w)
		sh, err := wb.Sheet("Return "+ret.Quarter, returnColumns)
		if err != nil {
			return err
		}
		for _, sec := range secs {
			for _, c := range sec.rows {
				if err := sh.Row(sec.title, c.Key, c.Count); err != nil {
					return err
				}
			}
		}
		return wb.Close()
	case FormatPDF:
		doc := document.NewPDF(document.Options{Title: "Quarterly return on security incidents: " + ret.Quarter,
			Marking: "TLP:" + strings.ToUpper(r.Audience), Generated: s.now(), Author: "Vigil"})
		doc.Paragraph(fmt.Sprintf("Incidents recorded from %s to %s (UTC), exercises excluded. Time to report runs from when the "+
			"organisation became aware of an incident to its first notification to a regulator.",
			ret.From.Format(time.DateOnly), ret.To.AddDate(0, 0, -1).Format(time.DateOnly)))
		for _, sec := range secs {
			doc.Heading(sec.title)
			kvs := make([]document.KV, 0, len(sec.rows))
			for _, c := range sec.rows {
				kvs = append(kvs, document.KV{Key: c.Key, Value: fmt.Sprint(c.Count)})
			}
			if len(kvs) == 0 {
				kvs = append(kvs, document.KV{Key: "No incidents", Value: "0"})
			}
			doc.KeyValues(kvs)
		}
		return doc.Write(w)
	}
	return nil
}
