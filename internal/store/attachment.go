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

// InsertAttachment records an attachment.
func (tx *Tx) InsertAttachment(a *Attachment) error {
	if err := tx.queryRow(`INSERT INTO attachments(incident_id, sha256, name, size, content_type, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, a.IncidentID, a.SHA256, a.Name, a.Size, a.ContentType, a.UploadedBy, micros(a.CreatedAt)).Scan(&a.ID); err != nil {
		return fmt.Errorf("recording attachment: %w", err)
	}
	return nil
}

const attachmentColumns = "id, incident_id, sha256, name, size, content_type, uploaded_by, created_at"

func scanAttachment(sc scanner) (*Attachment, error) {
	var a Attachment
	var at int64
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.SHA256, &a.Name, &a.Size, &a.ContentType, &a.UploadedBy, &at); err != nil {
		return nil, err
	}
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
