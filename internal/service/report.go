package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// StatusTokenPrefix marks reporters' secret status links.
const StatusTokenPrefix = "vgs_"

// SubmitReport records a report from anyone, signed in or not (seed 001 §3.2: "don't assume
// someone else will report it"). It returns the incident and the secret status token the
// reporter uses to follow up; only its hash is stored.
func (s *Service) SubmitReport(ctx context.Context, in domain.Patch) (*domain.Incident, string, error) {
	return s.SubmitReportAs(ctx, auth.Principal{Kind: auth.KindPublic, OrgID: s.orgID}, domain.ChannelAPI, in, "")
}

// SubmitReportAs records a report by p (a signed-in user, or the public) through channel.
// Files uploaded to the draft with secret draftSecret (if any) become its attachments.
func (s *Service) SubmitReportAs(ctx context.Context, p auth.Principal, channel domain.Channel, in domain.Patch, draftSecret string) (*domain.Incident, string, error) {
	if !auth.Can(p, auth.SubmitReport, nil) {
		return nil, "", domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	for field, set := range map[string]bool{"status": in.Status.Set, "owner": in.Owner.Set, "class": in.Class.Set, "restricted": in.Restricted.Set} {
		if set {
			v.Add(field, "is decided by the incident team, not in a report")
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	// Reporters are stressed: a title is optional and drawn from the description.
	if (!in.Title.Set || strings.TrimSpace(in.Title.Value) == "") && strings.TrimSpace(in.Nature.Value) != "" {
		in.Title = domain.Opt[string]{Set: true, Value: titleFrom(in.Nature.Value)}
	}
	inc := &domain.Incident{OrgID: s.orgID, Channel: channel, Reporter: domain.Reporter{Relationship: domain.RelPublic}}
	if p.Kind == auth.KindUser {
		inc.ReporterUserID = p.UserID
		inc.Reporter = domain.Reporter{Name: p.Name, Contact: p.Email, Relationship: domain.RelStaff}
	}
	token := auth.NewSecret(StatusTokenPrefix)
	var claim func(*store.Tx, *domain.Incident) error
	if draftSecret != "" {
		claim = func(tx *store.Tx, inc *domain.Incident) error {
			files, err := tx.ClaimDraftAttachments(auth.HashSecret(draftSecret), inc.ID)
			if err != nil {
				return err
			}
			for _, a := range files {
				if err := tx.Append(s.entry(p, "attachment.added", inc, map[string]any{"name": a.Name, "sha256": a.SHA256, "size": a.Size})); err != nil {
					return err
				}
			}
			return nil
		}
	}
	out, err := s.create(ctx, p, inc, in, auth.HashSecret(token), claim)
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

func titleFrom(nature string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(nature), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > 80 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:77])) + "…"
	}
	return line
}

// ReportStatus is what a reporter may see through their status link: never internal notes,
// owners or classification.
type ReportStatus struct {
	Ref        string    `json:"ref"`
	Status     string    `json:"status"`
	ReportedAt time.Time `json:"reported_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// StatusByToken answers a reporter's status link.
func (s *Service) StatusByToken(ctx context.Context, token string) (*ReportStatus, error) {
	inc, err := s.incidentByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	st := statusOf(inc)
	return &st, nil
}

func (s *Service) incidentByToken(ctx context.Context, token string) (*domain.Incident, error) {
	if !strings.HasPrefix(token, StatusTokenPrefix) {
		return nil, domain.ErrNotFound
	}
	inc, err := s.store.IncidentByStatusToken(ctx, auth.HashSecret(token))
	return inc, mapErr(err)
}

func statusOf(inc *domain.Incident) ReportStatus {
	return ReportStatus{Ref: inc.Ref, Status: reporterStatus(inc.Status), ReportedAt: inc.ReportedAt, UpdatedAt: inc.UpdatedAt}
}

// reporterStatus says where a report stands in words a reporter needs, without revealing
// how the team judged it.
func reporterStatus(st domain.Status) string {
	switch st {
	case domain.StatusNew:
		return "received"
	case domain.StatusResolved, domain.StatusClosed, domain.StatusNotIncident, domain.StatusMerged:
		return "dealt with"
	}
	return "being looked at"
}
