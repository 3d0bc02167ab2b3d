package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// approvalEmail asks an approver for a decision (service.ApprovalMail payload).
func (d *Deliverer) approvalEmail(ctx context.Context, it *store.OutboxItem) service.Delivery {
	if d.Mail == nil {
		return service.Delivery{Err: ErrNoRelay, Retry: true}
	}
	var am service.ApprovalMail
	if err := json.Unmarshal([]byte(it.Payload), &am); err != nil {
		return service.Delivery{Err: fmt.Errorf("unreadable outbox payload: %w", err)}
	}
	msg, err := mail.RenderApproval(mail.Approval{Reference: am.Ref, Title: am.Title, Kind: am.Kind, Exercise: am.Exercise,
		URL: strings.TrimSuffix(d.BaseURL, "/") + am.Path})
	if err != nil {
		return service.Delivery{Err: err}
	}
	return d.send(ctx, it, msg, am.Ref)
}
