// Package approval holds the rules of approval requests (seed 001 §5.5: the chief executive
// approves the actions taken): which kinds of change wait for an approver under an
// organisation's settings, and who may decide a request. It does no I/O; the service
// stores requests and applies what was approved.
package approval

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind is a sort of change that can need approval.
type Kind string

// Kinds of change an organisation can make wait for an approver.
const (
	CloseIncident   Kind = "close_incident"
	SuspendStaff    Kind = "suspend_staff"    // a people-matters request (seed 001 §5.4)
	BreachDecision  Kind = "breach_decision"  // notify / don't notify; see BreachSettings in the service
	PublicStatement Kind = "public_statement" // a statement to the press or the public
)

// Kinds lists every kind in the order settings pages show them.
var Kinds = []Kind{CloseIncident, SuspendStaff, BreachDecision, PublicStatement}

// Label is the plain-English name of a kind.
func (k Kind) Label() string {
	switch k {
	case CloseIncident:
		return "Closing an incident"
	case SuspendStaff:
		return "Suspending a member of staff"
	case BreachDecision:
		return "The decision to notify or not to notify a personal-data breach"
	case PublicStatement:
		return "A public statement"
	}
	return string(k)
}

// Restricted says whether requests of this kind belong to the people-matters section, so
// only those who may read it see their content.
func (k Kind) Restricted() bool { return k == SuspendStaff }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Settings say which kinds need approval in one organisation.
type Settings struct {
	Require map[Kind]bool `json:"require"`
}

// Defaults: suspensions and public statements always carry a senior decision in the seeds
// (seed 001 §5.4, §5.5); closing is left to the organisation, because a small one may have
// one approver who is also its investigating officer. The breach decision's default lives
// with the breach settings (sign-off required).
func Defaults() Settings {
	return Settings{Require: map[Kind]bool{CloseIncident: false, SuspendStaff: true, BreachDecision: true, PublicStatement: true}}
}

// Decode reads stored settings; kinds missing from the text keep their default, so a kind
// added in a later release starts at its default rather than at "no approval".
func Decode(raw string) (Settings, error) {
	s := Defaults()
	if strings.TrimSpace(raw) == "" {
		return s, nil
	}
	var stored Settings
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return s, fmt.Errorf("reading approval settings: %w", err)
	}
	for k, v := range stored.Require {
		if k.Valid() {
			s.Require[k] = v
		}
	}
	return s, nil
}

// Needs says whether a change of kind k waits for an approver.
func (s Settings) Needs(k Kind) bool { return s.Require[k] }

// State is where a request stands.
type State string

// States of a request. Only a pending request can be decided.
const (
	Pending   State = "pending"
	Approved  State = "approved"
	Rejected  State = "rejected"
	Withdrawn State = "withdrawn"
)

// Decider is who is deciding a request.
type Decider struct {
	UserID int64
	System bool // the CLI or a background job acting for the organisation
}

// Request is what the rules need to know about a request.
type Request struct {
	Kind          Kind
	State         State
	RequestedByID int64
}

// MaxComment bounds a decision's comment.
const MaxComment = 5000

// Problem is a reason a decision is refused, in plain words, with the form field it is about.
type Problem struct {
	Field, Message string
}

func (p *Problem) Error() string { return p.Field + ": " + p.Message }

// CheckDecision says whether d may approve (or reject) r with comment. Nobody decides their
// own request: approval means a second person agreed. A rejection must say why.
func CheckDecision(r Request, d Decider, approve bool, comment string) error {
	comment = strings.TrimSpace(comment)
	switch {
	case r.State != Pending:
		return &Problem{"approve", "This request has already been " + string(r.State)}
	case !d.System && d.UserID != 0 && d.UserID == r.RequestedByID:
		return &Problem{"approve", "Another approver must decide a request you made"}
	case !approve && comment == "":
		return &Problem{"comment", "Explain why you are rejecting the request"}
	case !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > MaxComment:
		return &Problem{"comment", fmt.Sprintf("The comment must be text of %d characters or fewer", MaxComment)}
	}
	return nil
}

// ErrNotRequester refuses a withdrawal by anyone but the person who asked.
var ErrNotRequester = errors.New("only the person who asked can withdraw a request")

// CheckWithdrawal says whether user may take back r: only the person who asked
// (ErrNotRequester), and only while nobody has decided it (a Problem). Nothing had changed,
// so nothing needs undoing.
func CheckWithdrawal(r Request, userID int64) error {
	switch {
	case userID == 0 || userID != r.RequestedByID:
		return ErrNotRequester
	case r.State != Pending:
		return &Problem{"withdraw", "This request has already been " + string(r.State)}
	}
	return nil
}

// Outcome is the state a decision leads to.
func Outcome(approve bool) State {
	if approve {
		return Approved
	}
	return Rejected
}
