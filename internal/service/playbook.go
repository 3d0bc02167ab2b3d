package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/playbook"
	"github.com/vigil-ir/vigil/internal/store"
)

// PlaybookTask is one checklist item an incident got from a playbook.
type PlaybookTask = store.PlaybookTask

// ownPlaybooks decodes the organisation's stored versions.
func ownPlaybooks(stored []*store.StoredPlaybook) ([]*playbook.Playbook, error) {
	out := make([]*playbook.Playbook, 0, len(stored))
	for _, sp := range stored {
		p, err := playbook.Parse([]byte(sp.Body))
		if err != nil {
			return nil, fmt.Errorf("stored playbook %s version %d: %w", sp.Playbook, sp.Version, err)
		}
		p.Version = sp.Version
		out = append(out, p)
	}
	return out, nil
}

// Playbooks lists the playbooks in force: Vigil's, replaced or added to by the
// organisation's own newest versions.
func (s *Service) Playbooks(ctx context.Context, p auth.Principal) ([]*playbook.Playbook, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	stored, err := s.store.LatestPlaybooks(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	own, err := ownPlaybooks(stored)
	if err != nil {
		return nil, err
	}
	return playbook.Current(own), nil
}

// SavePlaybook stores a new version of one of the organisation's playbooks. Incidents that
// already have its checklist keep the version they started with.
func (s *Service) SavePlaybook(ctx context.Context, p auth.Principal, id string, raw []byte) (*playbook.Playbook, error) {
	if !auth.Can(p, auth.EditPlaybooks, nil) {
		return nil, domain.ErrForbidden
	}
	pb, err := playbook.Parse(raw)
	var pe *playbook.Error
	if errors.As(err, &pe) {
		return nil, invalid(pe.Field, pe.Message)
	}
	if err != nil {
		return nil, err
	}
	if pb.ID != id {
		return nil, invalid("id", fmt.Sprintf("must be %q, the playbook being saved", id))
	}
	body, _ := json.Marshal(pb)
	sp := &store.StoredPlaybook{Playbook: pb.ID, Body: string(body), CreatedBy: p.Label(), CreatedAt: domain.Instant(s.now())}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertPlaybook(s.orgID, sp); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "playbook.saved", nil, map[string]any{"playbook": pb.ID, "version": sp.Version}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	pb.Version = sp.Version
	return pb, nil
}

// startPlaybooks gives an incident the checklist of every playbook its classification now
// matches and it does not have yet, at the playbook's current version. It runs inside the
// transaction that records or reclassifies the incident.
func (s *Service) startPlaybooks(tx *store.Tx, p auth.Principal, inc *domain.Incident) error {
	if inc.RSITClass == "" && inc.ICOType == "" {
		return nil
	}
	stored, err := tx.LatestPlaybooks(s.orgID)
	if err != nil {
		return err
	}
	own, err := ownPlaybooks(stored)
	if err != nil {
		return err
	}
	for _, pb := range playbook.Matching(playbook.Current(own), inc.RSITClass, inc.RSITType, inc.ICOType) {
		has, err := tx.HasPlaybook(inc.ID, pb.ID)
		if err != nil || has {
			if err != nil {
				return err
			}
			continue
		}
		for i, t := range pb.Tasks {
			if err := tx.InsertPlaybookTask(&store.PlaybookTask{IncidentID: inc.ID, Playbook: pb.ID, Version: pb.Version, Position: i + 1,
				Phase: t.Phase, Title: t.Title, Guidance: t.Guidance}); err != nil {
				return err
			}
		}
		if err := tx.Append(s.entry(p, "playbook.started", inc, map[string]any{"playbook": pb.ID, "title": pb.Title, "version": pb.Version})); err != nil {
			return err
		}
	}
	return nil
}

// PlaybookTasks lists an incident's checklist.
func (s *Service) PlaybookTasks(ctx context.Context, p auth.Principal, ref string) ([]*PlaybookTask, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	list, err := s.store.PlaybookTasks(ctx, inc.ID)
	if list == nil {
		list = []*PlaybookTask{}
	}
	return list, err
}

// TickTask marks a checklist item done or not done, recording who and when.
func (s *Service) TickTask(ctx context.Context, p auth.Principal, ref string, id int64, done bool) (*PlaybookTask, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	var out *PlaybookTask
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.PlaybookTask(inc.ID, id)
		if err != nil {
			return err
		}
		now := domain.Instant(s.now())
		t.Done, t.DoneBy, t.DoneAt = done, "", nil
		if done {
			t.DoneBy, t.DoneAt = p.Label(), &now
		}
		if err := tx.SetTaskDone(t); err != nil {
			return err
		}
		out = t
		return tx.Append(s.entry(p, "playbook.task_ticked", inc, map[string]any{"playbook": t.Playbook, "task": t.Title, "done": done}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}
