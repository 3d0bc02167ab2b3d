package store

import (
	"context"
	"fmt"
	"time"
)

// Note kinds keep what the team writes for itself apart from what the reporter sees.
const (
	NoteInternal     = "internal"
	NoteToReporter   = "to_reporter"
	NoteFromReporter = "from_reporter"
)

// Note is a note or message on an incident.
type Note struct {
	ID         int64     `json:"-"`
	IncidentID int64     `json:"-"`
	Kind       string    `json:"kind"`
	AuthorID   int64     `json:"-"`
	Author     string    `json:"author"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// InsertNote stores a note.
func (tx *Tx) InsertNote(n *Note) error {
	if err := tx.queryRow("INSERT INTO incident_notes(incident_id, kind, author_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		n.IncidentID, n.Kind, n.AuthorID, n.Author, n.Body, micros(n.CreatedAt)).Scan(&n.ID); err != nil {
		return fmt.Errorf("storing note: %w", err)
	}
	return nil
}

// Notes lists an incident's notes of the given kinds, oldest first.
func (s *Store) Notes(ctx context.Context, incidentID int64, kinds ...string) ([]*Note, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, incident_id, kind, author_id, author, body, created_at FROM incident_notes WHERE incident_id = $1 ORDER BY id", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading notes: %w", err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	var out []*Note
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.ID, &n.IncidentID, &n.Kind, &n.AuthorID, &n.Author, &n.Body, &at); err != nil {
			return nil, fmt.Errorf("reading notes: %w", err)
		}
		n.CreatedAt = fromMicros(at)
		if want[n.Kind] {
			out = append(out, &n)
		}
	}
	return out, rows.Err()
}
