package service

import (
	"context"
	"io"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/csvimport"
	"github.com/vigil-ir/vigil/internal/domain"
)

// ImportCSV imports the rows of a spreadsheet read through a mapping; name labels the rows
// in messages. Rows are keyed by the mapping's source_id column, under "csv:" and the
// mapping's source name.
func (s *Service) ImportCSV(ctx context.Context, p auth.Principal, m *csvimport.Mapping, r io.Reader, name string, o ImportOptions) (*ImportResult, error) {
	if !auth.Can(p, auth.ImportIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	var recs []ImportRecord
	if err := m.Read(r, name, func(row csvimport.Row) error {
		recs = append(recs, ImportRecord{Where: row.Where, SourceID: row.SourceID, Document: row.Document,
			Patch: row.Patch, Status: row.Status, Err: row.Err})
		return nil
	}); err != nil {
		return nil, err
	}
	o.Source, o.File = "csv:"+m.Source, name
	return s.Import(ctx, p, o, recs)
}
