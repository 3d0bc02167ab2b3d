package mail

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// ErrInvalidMessage wraps every reason Send refuses a Message before connecting.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Stage names the step of an attempt at which it failed, for the delivery log.
type Stage string

const (
	StageMessage   Stage = "message"   // refused before connecting: bad address, empty subject
	StageConnect   Stage = "connect"   // dial, greeting, EHLO, TLS, AUTH
	StageSender    Stage = "sender"    // MAIL FROM
	StageRecipient Stage = "recipient" // RCPT TO
	StageData      Stage = "data"      // DATA, the content and the relay's final answer
)

// Error is the failure of one Send attempt. Send returns nothing else, so the outbox worker
// can record Stage and Code next to the text and decide with Temporary (or IsTemporary).
type Error struct {
	Stage Stage
	// Code is the relay's SMTP reply code (e.g. 451, 550), or 0 when the failure had none: a
	// network or TLS error, a timeout, or a message refused before connecting.
	Code int
	// Temporary says whether a later attempt of the same message can succeed. See IsTemporary.
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	return fmt.Sprintf("mail: %s failure at %s: %v", kind, e.Stage, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// IsTemporary reports whether retrying the message that failed with err can succeed, and so
// whether the outbox should schedule another attempt.
//
// Permanent, because the message as it stands will never be accepted:
//   - the message was invalid (ErrInvalidMessage: a malformed address, no recipients);
//   - the relay answered 5xx to RCPT TO (recipient refused) or to DATA or its end (content
//     refused).
//
// Temporary, everything else:
//   - any 4xx reply (RFC 5321 §4.2.1: "transient negative completion");
//   - network failures, timeouts and a cancelled context;
//   - failures while setting up the session (TLS, AUTH, greeting) and a 5xx to MAIL FROM, even
//     though some are 5xx. They concern the relay or Vigil's own configuration (a wrong
//     password, an untrusted certificate, a From address the relay will not send as), not this
//     message, and are healed by an administrator. Counting them permanent would drop every
//     escalation queued while the relay was misconfigured; the outbox instead keeps retrying
//     with backoff and shows the failures, and the mail goes out once the relay is fixed.
//
// An error that did not come from Send is treated as temporary unless it is ErrInvalidMessage,
// for the same reason: a failure nobody recognised must not lose an escalation.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	return !errors.Is(err, ErrInvalidMessage)
}

// classify turns what go-mail returned at a stage into an *Error.
func classify(stage Stage, err error) *Error {
	e := &Error{Stage: stage, Err: err}
	var se *gomail.SendError
	if errors.As(err, &se) {
		e.Stage = stageOf(se.Reason, stage)
		e.Code = se.ErrorCode()
	} else {
		var tp *textproto.Error
		if errors.As(err, &tp) {
			e.Code = tp.Code
		}
	}
	e.Temporary = temporary(e.Stage, e.Code, err)
	return e
}

func temporary(stage Stage, code int, err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch {
	case code >= 400 && code < 500:
		return true
	case code >= 500 && code < 600:
		return stage == StageConnect || stage == StageSender
	}
	// No reply code: a network failure or timeout unless the message itself was at fault.
	return stage != StageMessage
}

// stageOf maps go-mail's reason for a failed send onto a Stage.
func stageOf(r gomail.SendErrReason, fallback Stage) Stage {
	switch r {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return StageMessage
	case gomail.ErrSMTPMailFrom:
		return StageSender
	case gomail.ErrSMTPRcptTo:
		return StageRecipient
	case gomail.ErrSMTPData, gomail.ErrWriteContent, gomail.ErrSMTPDataClose, gomail.ErrAmbiguous:
		return StageData
	case gomail.ErrConnCheck:
		return StageConnect
	}
	return fallback
}
