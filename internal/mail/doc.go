// Package mail sends Vigil's outbound e-mail over SMTP (through github.com/wneessen/go-mail)
// and renders the escalation messages it carries.
//
// It owns one delivery attempt: connect, secure the session, authenticate, hand one message to
// the relay, and say whether a failure is worth retrying. It must not decide who is mailed or
// when, keep state, queue or retry: the durable outbox in the store does that, calls Send once
// per attempt and records the outcome. Nothing here writes incident details into a message
// beyond what its caller passes, because e-mail leaves the organisation's control.
package mail
