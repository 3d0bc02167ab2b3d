package notify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// acknowledgement answers an e-mailed report with its reference.
func (d *Deliverer) acknowledgement(ctx context.Context, it *store.OutboxItem) service.Delivery {
	if d.Mail == nil {
		return service.Delivery{Err: ErrNoRelay, Retry: true}
	}
	var ack service.Acknowledgement
	if err := json.Unmarshal([]byte(it.Payload), &ack); err != nil {
		return service.Delivery{Err: fmt.Errorf("unreadable acknowledgement: %w", err)}
	}
	msg, err := mail.RenderAcknowledgement(mail.Acknowledgement{Reference: ack.Ref, Outcome: ack.Outcome, InReplyTo: ack.InReplyTo, Phishing: ack.Kind == service.IntakePhishing})
	if err != nil {
		return service.Delivery{Err: err}
	}
	return d.send(ctx, it, msg, ack.Ref)
}
