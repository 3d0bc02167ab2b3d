package service

import (
	"context"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// DefaultReportNotice follows seed 000: do not report from a device you think is compromised.
const DefaultReportNotice = "Do not use a device or network you think has been compromised to report: it could help " +
	"whoever is behind the incident. Use another device, or phone the incident team instead."

// ReportNotice is shown at the start of the reporting journey. Organisations set their own
// with the phone number and address to use instead (seed 000).
func (s *Service) ReportNotice(ctx context.Context) (string, error) {
	n, err := s.store.ReportNotice(ctx, s.orgID)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(n) == "" {
		return DefaultReportNotice, nil
	}
	return n, nil
}

// SetReportNotice changes the notice; an empty notice restores the default.
func (s *Service) SetReportNotice(ctx context.Context, p auth.Principal, notice string) error {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	notice = strings.TrimSpace(notice)
	if len(notice) > domain.MaxShortText {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "notice", Message: "must be 5,000 characters or fewer"}}}
	}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetReportNotice(s.orgID, notice); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "org.report_notice_changed", nil, map[string]string{"notice": notice}))
	})
}
