package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
	"github.com/vigil-ir/vigil/internal/veris"
)

// ExportOptions selects what a bulk export of incidents includes.
type ExportOptions struct {
	Format string // named in the record of events: "veris", "csv"
	File   string // where it goes, for the record of events ("-" for standard output)
	// TLP is the audience: incidents marked above it are withheld. Default amber.
	TLP string
	// IncludeRestricted adds the restricted (need-to-know) incidents the caller may see.
	IncludeRestricted bool
	// From and To bound the reported date, To exclusive; nil means open.
	From, To *time.Time
}

// ExportResult counts what an export wrote and what it held back.
type ExportResult struct {
	Written, WithheldTLP, WithheldRestricted int
	TLP                                      string
}

// exportPage is how many incidents an export reads at a time: memory stays flat however
// large the register.
const exportPage = 500

// ExportIncidents calls fn for every incident that p may export under o, in the order they
// were recorded, reading the register a page at a time. It records the export, with its
// counts and audience, in the record of events once fn has seen every incident.
func (s *Service) ExportIncidents(ctx context.Context, p auth.Principal, o ExportOptions, fn func(store.Sourced) error) (*ExportResult, error) {
	if !auth.Can(p, auth.ExportIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	if o.TLP == "" {
		o.TLP = domain.DefaultTLP
	}
	tlp, ok := taxonomy.NormaliseTLP(o.TLP)
	if !ok {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "tlp", Message: "must be a TLP 2.0 level: clear, green, amber, amber+strict or red"}}}
	}
	res := &ExportResult{TLP: tlp}
	for after, more := int64(0), true; more; {
		page, next, err := s.store.ExportPage(ctx, s.orgID, after, exportPage, o.From, o.To)
		if err != nil {
			return nil, err
		}
		more = next
		for _, it := range page {
			after = it.ID
			if it.Restricted {
				ok := o.IncludeRestricted
				if ok {
					sub, err := s.subject(ctx, p, it.Incident)
					if err != nil {
						return nil, err
					}
					ok = auth.Can(p, auth.ReadIncident, sub)
				}
				if !ok {
					res.WithheldRestricted++
					continue
				}
			}
			if !taxonomy.TLPAllows(it.TLP, tlp) {
				res.WithheldTLP++
				continue
			}
			if err := fn(it); err != nil {
				return nil, err
			}
			res.Written++
		}
	}
	data := map[string]any{
		"format": o.Format, "file": o.File, "tlp": tlp, "written": res.Written,
		"withheld_tlp": res.WithheldTLP, "withheld_restricted": res.WithheldRestricted, "include_restricted": o.IncludeRestricted,
	}
	if o.From != nil {
		data["from"] = o.From.Format(time.DateOnly)
	}
	if o.To != nil {
		data["to"] = o.To.Format(time.DateOnly)
	}
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "export."+o.Format, nil, data))
	})
	return res, err
}

// VERIS is an incident as a VERIS record: the original for an incident imported from VERIS
// (made valid against today's schema), a mapping of its fields for any other.
func (s *Service) VERIS(it store.Sourced) (json.RawMessage, error) {
	inc := it.Incident
	f := veris.Facts{
		Ref: inc.Ref, Title: inc.Title, Nature: inc.Nature, Discovery: inc.Discovery,
		Class: string(inc.Class), Status: string(inc.Status), NearMiss: inc.NearMiss, PersonalData: string(inc.PersonalData),
		RSITClass: inc.RSITClass, RSITType: inc.RSITType, ICOType: inc.ICOType,
		Confidentiality: veris.Impact(inc.Impact.Confidentiality), Integrity: veris.Impact(inc.Impact.Integrity),
		Availability: veris.Impact(inc.Impact.Availability),
		OccurredAt:   inc.OccurredAt, DiscoveredAt: inc.DiscoveredAt, ContainedAt: inc.ContainedAt,
		OccurredPrecision: string(inc.OccurredPrecision),
		ReportedAt:        inc.ReportedAt, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt,
	}
	if it.Source.Source == veris.Source && it.Document != "" {
		doc, err := veris.Conform([]byte(it.Document), f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", inc.Ref, err)
		}
		return doc, nil
	}
	return veris.FromFacts(f, strconv.FormatInt(s.orgID, 10)+"/"+inc.Ref)
}
