package approval

import (
	"errors"
	"testing"
)

func TestSettings(t *testing.T) {
	cases := []struct {
		name, raw string
		want      map[Kind]bool
		err       bool
	}{
		{"unset keeps the defaults", "", map[Kind]bool{CloseIncident: false, SuspendStaff: true, BreachDecision: true, PublicStatement: true}, false},
		{"close switched on", `{"require":{"close_incident":true}}`, map[Kind]bool{CloseIncident: true, SuspendStaff: true, BreachDecision: true, PublicStatement: true}, false},
		{"suspension switched off, others default", `{"require":{"suspend_staff":false}}`, map[Kind]bool{CloseIncident: false, SuspendStaff: false, BreachDecision: true, PublicStatement: true}, false},
		{"unknown kinds are ignored", `{"require":{"launch_rockets":true}}`, map[Kind]bool{CloseIncident: false, SuspendStaff: true, BreachDecision: true, PublicStatement: true}, false},
		{"garbage is an error", `{"require":`, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Decode(c.raw)
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error=%v", err, c.err)
			}
			if c.err {
				return
			}
			for k, want := range c.want {
				if s.Needs(k) != want {
					t.Errorf("Needs(%s) = %v, want %v", k, s.Needs(k), want)
				}
			}
			if s.Needs("launch_rockets") {
				t.Error("an unknown kind needs approval")
			}
		})
	}
}

func TestCheckDecision(t *testing.T) {
	pending := Request{Kind: CloseIncident, State: Pending, RequestedByID: 7}
	cases := []struct {
		name      string
		r         Request
		d         Decider
		approve   bool
		comment   string
		wantField string // "" means allowed
	}{
		{"another approver approves", pending, Decider{UserID: 8}, true, "", ""},
		{"another approver rejects with a reason", pending, Decider{UserID: 8}, false, "Review first", ""},
		{"the requester cannot approve their own request", pending, Decider{UserID: 7}, true, "", "approve"},
		{"the requester cannot reject their own request either", pending, Decider{UserID: 7}, false, "changed my mind", "approve"},
		{"a rejection needs a comment", pending, Decider{UserID: 8}, false, "  ", "comment"},
		{"an approved request cannot be decided again", Request{Kind: CloseIncident, State: Approved, RequestedByID: 7}, Decider{UserID: 8}, false, "no", "approve"},
		{"a rejected request cannot be approved later", Request{Kind: SuspendStaff, State: Rejected, RequestedByID: 7}, Decider{UserID: 8}, true, "", "approve"},
		{"the system (CLI) may decide a request it raised", Request{Kind: PublicStatement, State: Pending}, Decider{System: true}, true, "", ""},
		{"a request by nobody in particular is not self-approval", Request{Kind: PublicStatement, State: Pending}, Decider{UserID: 8}, true, "", ""},
		{"an over-long comment is refused", pending, Decider{UserID: 8}, true, string(make([]byte, MaxComment+1)), "comment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckDecision(c.r, c.d, c.approve, c.comment)
			var p *Problem
			switch {
			case c.wantField == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantField != "" && !errors.As(err, &p):
				t.Fatalf("allowed (%v), want refused on %s", err, c.wantField)
			case c.wantField != "" && p.Field != c.wantField:
				t.Fatalf("refused on %s (%s), want %s", p.Field, p.Message, c.wantField)
			}
		})
	}
	if Outcome(true) != Approved || Outcome(false) != Rejected {
		t.Error("Outcome does not map decisions to states")
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds {
		if !k.Valid() || k.Label() == string(k) {
			t.Errorf("kind %s: valid=%v label=%q", k, k.Valid(), k.Label())
		}
	}
	if Kind("x").Valid() {
		t.Error("an unknown kind is valid")
	}
	if !SuspendStaff.Restricted() || CloseIncident.Restricted() || PublicStatement.Restricted() {
		t.Error("only people-matters kinds are restricted")
	}
}
