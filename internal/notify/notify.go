// Package notify delivers outbox items: escalation e-mails through the SMTP relay and signed
// webhooks. It turns an outbox payload into a message and one delivery attempt into a
// service.Delivery; queueing, retries and exactly-once bookkeeping are the service's.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/webhook"
)

// ErrNoRelay is the delivery error while no SMTP relay is configured: the item stays
// queued and is retried, so configuring the relay later still sends it.
var ErrNoRelay = errors.New("no SMTP relay configured (set VIGIL_SMTP_HOST and VIGIL_SMTP_FROM)")

// Deliverer sends outbox items.
type Deliverer struct {
	Mail     *mail.Sender // nil when no relay is configured
	BaseURL  string       // Vigil's address, for links in messages
	Location *time.Location
	HTTP     *http.Client
	// Secret returns the signing secret of a webhook URL from the organisation's settings.
	Secret func(ctx context.Context, url string) (string, error)
	Now    func() time.Time
}

// Deliver makes one attempt.
func (d *Deliverer) Deliver(ctx context.Context, it *store.OutboxItem) service.Delivery {
	var esc service.Escalation
	if err := json.Unmarshal([]byte(it.Payload), &esc); err != nil {
		return service.Delivery{Err: fmt.Errorf("unreadable outbox payload: %w", err)}
	}
	switch {
	case it.Kind == service.KindEmail && esc.Event == service.EventApprovalRequested:
		return d.approvalEmail(ctx, it)
	case it.Kind == service.KindEmail:
		return d.email(ctx, it, esc)
	case it.Kind == service.KindWebhook:
		return d.webhook(ctx, it)
	case it.Kind == service.KindLetter:
		return d.letter(ctx, it)
	}
	return service.Delivery{Err: fmt.Errorf("unknown outbox kind %q", it.Kind)}
}

func (d *Deliverer) email(ctx context.Context, it *store.OutboxItem, esc service.Escalation) service.Delivery {
	if esc.Event == service.AckEvent {
		return d.acknowledgement(ctx, it)
	}
	if d.Mail == nil {
		return service.Delivery{Err: ErrNoRelay, Retry: true}
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	msg, err := mail.RenderEscalation(mail.Escalation{Reference: esc.Ref, Title: esc.Title, Clock: esc.Clock, Due: esc.DueAt, Now: now(),
		Location: d.Location, URL: strings.TrimSuffix(d.BaseURL, "/") + esc.Path, Exercise: esc.Exercise})
	if err != nil {
		return service.Delivery{Err: err}
	}
	return d.send(ctx, it, msg, esc.Ref)
}

// send makes one attempt to deliver msg as outbox item it, about the incident ref; every
// e-mail the outbox carries goes this way.
func (d *Deliverer) send(ctx context.Context, it *store.OutboxItem, msg mail.Message, ref string) service.Delivery {
	msg.To = []string{it.Target}
	// The same Message-ID on every attempt lets a relay drop the duplicate of an attempt
	// whose outcome was lost (a node killed between sending and recording).
	msg.ID = fmt.Sprintf("outbox-%d", it.ID)
	msg.Headers = map[string]string{"X-Vigil-Incident": ref}
	if err := d.Mail.Send(ctx, msg); err != nil {
		return service.Delivery{Err: err, Retry: mail.IsTemporary(err)}
	}
	return service.Delivery{Status: 250}
}

func (d *Deliverer) webhook(ctx context.Context, it *store.OutboxItem) service.Delivery {
	secret, err := d.Secret(ctx, it.Target)
	if err != nil {
		// The webhook was removed from the settings after this was queued.
		return service.Delivery{Err: fmt.Errorf("webhook no longer configured: %w", err)}
	}
	res := webhook.Deliver(ctx, d.HTTP, it.Target, []byte(secret), fmt.Sprintf("outbox-%d", it.ID), []byte(it.Payload))
	return service.Delivery{Status: res.StatusCode, Err: res.Err, Retry: res.Retry, RetryAfter: res.RetryAfter}
}

// letter e-mails one letter to a person affected by a breach (service/letters.go).
func (d *Deliverer) letter(ctx context.Context, it *store.OutboxItem) service.Delivery {
	if d.Mail == nil {
		return service.Delivery{Err: ErrNoRelay, Retry: true}
	}
	var lm service.LetterMail
	if err := json.Unmarshal([]byte(it.Payload), &lm); err != nil {
		return service.Delivery{Err: fmt.Errorf("unreadable letter payload: %w", err)}
	}
	msg, err := mail.RenderLetter(lm.Letter)
	if err != nil {
		return service.Delivery{Err: err}
	}
	return d.send(ctx, it, msg, lm.Ref)
}
