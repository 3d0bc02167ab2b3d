package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// MaxAttachment limits one file; a forwarded phishing e-mail or a photo fits easily.
const MaxAttachment = 20 << 20

// Attachment is a file on an incident.
type Attachment = store.Attachment

// AddAttachment stores a file as evidence on an incident: content-addressed by SHA-256 in
// the blob store, recorded with its hash in the record of events.
func (s *Service) AddAttachment(ctx context.Context, p auth.Principal, ref, name, contentType string, r io.Reader) (*Attachment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	a, err := s.storeFile(p, name, contentType, r)
	if err != nil {
		return nil, err
	}
	a.IncidentID = inc.ID
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertAttachment(a, ""); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "attachment.added", inc, map[string]any{"name": a.Name, "sha256": a.SHA256, "size": a.Size}))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AddDraftAttachment keeps a file a reporter uploads while reporting (e.g. the phishing
// e-mail); it joins the incident when the report is sent.
func (s *Service) AddDraftAttachment(ctx context.Context, draftSecret, name, contentType string, r io.Reader) (*Attachment, error) {
	if _, err := s.Draft(ctx, draftSecret); err != nil {
		return nil, err
	}
	files, err := s.store.DraftAttachments(ctx, auth.HashSecret(draftSecret))
	if err != nil {
		return nil, err
	}
	if len(files) >= 5 {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: "You can add up to 5 files to a report"}}}
	}
	a, err := s.storeFile(auth.Principal{Kind: auth.KindPublic}, name, contentType, r)
	if err != nil {
		return nil, err
	}
	return a, s.store.Write(ctx, func(tx *store.Tx) error { return tx.InsertAttachment(a, auth.HashSecret(draftSecret)) })
}

// DraftAttachments lists the files added to a report in progress.
func (s *Service) DraftAttachments(ctx context.Context, draftSecret string) ([]*Attachment, error) {
	return s.store.DraftAttachments(ctx, auth.HashSecret(draftSecret))
}

// storeFile checks and stores an uploaded file's bytes.
func (s *Service) storeFile(p auth.Principal, name, contentType string, r io.Reader) (*Attachment, error) {
	if s.blobs == nil {
		return nil, errors.New("no blob store configured")
	}
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" || !utf8.ValidString(name) || len(name) > 255 {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: "Choose a file with a name of 255 characters or fewer"}}}
	}
	sum, size, err := s.blobs.Put(r, MaxAttachment)
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: "The file must be smaller than 20 MB"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("storing attachment: %w", err)
	}
	if size == 0 {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: "The selected file is empty"}}}
	}
	if contentType == "" || len(contentType) > 200 {
		contentType = "application/octet-stream"
	}
	return &store.Attachment{SHA256: sum, Name: name, Size: size, ContentType: contentType, UploadedBy: p.Label(), CreatedAt: domain.Instant(s.now())}, nil
}

// Attachments lists an incident's files.
func (s *Service) Attachments(ctx context.Context, p auth.Principal, ref string) ([]*Attachment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.store.Attachments(ctx, inc.ID)
}

// OpenAttachment returns an attachment and its content; the caller closes it. Downloads are
// recorded like views of restricted incidents are: evidence leaving Vigil is worth knowing.
func (s *Service) OpenAttachment(ctx context.Context, p auth.Principal, ref string, id int64) (*Attachment, io.ReadCloser, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.Attachment(ctx, inc.ID, id)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	f, err := s.blobs.Open(a.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("opening attachment %d: %w", a.ID, err)
	}
	if err := s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "attachment.downloaded", inc, map[string]any{"name": a.Name, "sha256": a.SHA256}))
	}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return a, f, nil
}
