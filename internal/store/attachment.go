package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Attachment is a file attached to an incident.
type Attachment struct {
	ID          int64     `json:"id"`
	IncidentID  int64     `json:"-"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// InsertAttachment records an attachment of an incident, or of a report draft when
// draftHash is set (then IncidentID is ignored until the report is sent).
func (tx *Tx) InsertAttachment(a *Attachment, draftHash string) error {
	var incident, draft any = a.IncidentID, nil
	if draftHash != "" {
		incident, draft = nil, draftHash
	}
	if err := tx.queryRow(`INSERT INTO attachments(incident_id, draft_hash, sha256, name, size, content_type, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, incident, draft, a.SHA256, a.Name, a.Size, a.ContentType, a.UploadedBy, micros(a.CreatedAt)).Scan(&a.ID); err != nil {
		return fmt.Errorf("recording attachment: %w", err)
	}
	return nil
}

// ClaimDraftAttachments moves a draft's files to the incident it became.
func (tx *Tx) ClaimDraftAttachments(draftHash string, incidentID int64) ([]*Attachment, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "UPDATE attachments SET incident_id = $1, draft_hash = NULL WHERE draft_hash = $2 RETURNING "+attachmentColumns, incidentID, draftHash)
	if err != nil {
		return nil, fmt.Errorf("attaching report files: %w", err)
	}
	defer rows.Close()
	var out []*Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("attaching report files: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DraftAttachments lists the files uploaded to a report draft.
func (s *Store) DraftAttachments(ctx context.Context, draftHash string) ([]*Attachment, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE draft_hash = $1 ORDER BY id", draftHash)
	if err != nil {
		return nil, fmt.Errorf("listing report files: %w", err)
	}
	defer rows.Close()
	var out []*Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("listing report files: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const attachmentColumns = "id, incident_id, sha256, name, size, content_type, uploaded_by, created_at"

func scanAttachment(sc scanner) (*Attachment, error) {
	var a Attachment
	var at int64
	var incident sql.NullInt64
	if err := sc.Scan(&a.ID, &incident, &a.SHA256, &a.Name, &a.Size, &a.ContentType, &a.UploadedBy, &at); err != nil {
		return nil, err
	}
	a.IncidentID = incident.Int64
	a.CreatedAt = fromMicros(at)
	return &a, nil
}

// Attachments lists an incident's attachments, oldest first.
func (s *Store) Attachments(ctx context.Context, incidentID int64) ([]*Attachment, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE incident_id = $1 ORDER BY id", incidentID)
	if err != nil {
		return nil, fmt.Errorf("listing attachments: %w", err)
	}
	defer rows.Close()
	var out []*Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("listing attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment reads one attachment of an incident.
func (s *Store) Attachment(ctx context.Context, incidentID, id int64) (*Attachment, error) {
	a, err := scanAttachment(s.r.QueryRowContext(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE incident_id = $1 AND id = $2", incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading attachment: %w", err)
	}
	return a, nil
}
