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

// Note is a note on an incident as shown to its readers.
type Note = store.Note

func noteBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return "", &domain.ValidationError{Fields: []domain.FieldError{{Field: "body", Message: "Enter the note"}}}
	case !utf8.ValidString(body) || utf8.RuneCountInString(body) > domain.MaxLongText:
		return "", &domain.ValidationError{Fields: []domain.FieldError{{Field: "body", Message: "The note must be text of 20,000 characters or fewer"}}}
	}
	return body, nil
}

// AddNote adds an internal note or a message to the reporter. The two are kept apart: the
// reporter's status page shows messages to and from them, never internal notes.
func (s *Service) AddNote(ctx context.Context, p auth.Principal, ref, kind, body string) error {
	if kind != store.NoteInternal && kind != store.NoteToReporter {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "kind", Message: "must be internal or to_reporter"}}}
	}
	body, err := noteBody(body)
	if err != nil {
		return err
	}
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return err
	}
	n := &store.Note{IncidentID: inc.ID, Kind: kind, AuthorID: p.UserID, Author: p.Label(), Body: body, CreatedAt: domain.Instant(s.now())}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertNote(n); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "note.added", inc, map[string]string{"kind": kind, "body": body}))
	})
}

// Notes lists every note and message on an incident, for the team.
func (s *Service) Notes(ctx context.Context, p auth.Principal, ref string) ([]*Note, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.store.Notes(ctx, inc.ID, store.NoteInternal, store.NoteToReporter, store.NoteFromReporter)
}

// ReporterView is what a reporter's status link shows.
type ReporterView struct {
	ReportStatus
	Messages []*Note `json:"messages"`
}

// ReporterViewByToken answers a reporter's status link with the status and the messages
// exchanged with them.
func (s *Service) ReporterViewByToken(ctx context.Context, token string) (*ReporterView, error) {
	inc, err := s.incidentByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	msgs, err := s.store.Notes(ctx, inc.ID, store.NoteToReporter, store.NoteFromReporter)
	if err != nil {
		return nil, err
	}
	return &ReporterView{ReportStatus: statusOf(inc), Messages: msgs}, nil
}

// AddReporterInfo lets a reporter add information through their status link.
func (s *Service) AddReporterInfo(ctx context.Context, token, body string) error {
	body, err := noteBody(body)
	if err != nil {
		return err
	}
	inc, err := s.incidentByToken(ctx, token)
	if err != nil {
		return err
	}
	p := auth.Principal{Kind: auth.KindPublic, OrgID: s.orgID}
	n := &store.Note{IncidentID: inc.ID, Kind: store.NoteFromReporter, Author: "reporter", Body: body, CreatedAt: domain.Instant(s.now())}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertNote(n); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "note.added", inc, map[string]string{"kind": store.NoteFromReporter, "body": body}))
	})
}

// SaveDraft keeps a report in progress for an hour under the hash of its secret.
func (s *Service) SaveDraft(ctx context.Context, secret string, data []byte) error {
	return s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.SaveDraft(auth.HashSecret(secret), data, s.now().Add(time.Hour))
	})
}

// Draft returns a report in progress.
func (s *Service) Draft(ctx context.Context, secret string) ([]byte, error) {
	d, err := s.store.Draft(ctx, auth.HashSecret(secret), s.now())
	return d, mapErr(err)
}

// DeleteDraft forgets a report in progress.
func (s *Service) DeleteDraft(ctx context.Context, secret string) error {
	return s.store.Write(ctx, func(tx *store.Tx) error { return tx.DeleteDraft(auth.HashSecret(secret)) })
}
