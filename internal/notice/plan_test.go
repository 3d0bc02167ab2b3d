package notice

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/breach"
)

func TestPlanSuggestions(t *testing.T) {
	tests := []struct {
		name string
		edit func(in *Input)
		want map[string]Decision
	}{
		{"decided, high risk, crime, graded high", func(in *Input) { in.HighSeverity, in.CSIRT = true, "NCSC" }, map[string]Decision{
			"authority:ICO": NotifyNow, "authority:JOIC": NotifyNow, "authority:EU": NotifyNow, PartySubjects: NotifyNow, PartyPolice: NotifyNow,
			PartyCSIRT: NotifyNow, PartyBoard: NotifyNow, PartySponsor: NotifyNow, PartyInsurers: NotifyNow, PartyProcessors: NotifyLater, PartyOthers: NotifyNot}},
		{"not assessed yet", func(in *Input) {
			in.Facts, in.Recommendation, in.Decided, in.Sent = nil, nil, nil, nil
			in.Clocks = map[string]AuthorityClock{"UK": {Due: aware}}
			in.Org = Organisation{}
		}, map[string]Decision{"authority:ICO": NotifyLater, PartySubjects: NotifyLater, PartyPolice: NotifyNot, PartyCSIRT: NotifyNot,
			PartyBoard: NotifyLater, PartyInsurers: NotifyNot, PartyProcessors: NotifyNot, PartyOthers: NotifyNot}},
		{"decided not to notify", func(in *Input) {
			in.Decided = &Decided{NotifyAuthority: map[string]bool{"UK": false, "JE": false, "EU": false}}
			in.Sent = nil
			in.Facts.Cause.Malicious = ptr(false)
		}, map[string]Decision{"authority:ICO": NotifyNot, "authority:JOIC": NotifyNot, "authority:EU": NotifyNot, PartySubjects: NotifyNot,
			PartyPolice: NotifyNot, PartyInsurers: NotifyLater}},
		{"processor tells its controller", func(in *Input) { in.Facts.Role = breach.RoleProcessor; in.Sent = nil }, map[string]Decision{
			"authority:ICO": NotifyNot, PartyController: NotifyNow, PartySubjects: NotifyNot}},
		{"NIS2 significant", func(in *Input) { in.NIS2Significant = true }, map[string]Decision{PartyCSIRT: NotifyNow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInput()
			tt.edit(in)
			got := map[string]Party{}
			for _, p := range Plan(in) {
				got[p.ID] = p
				if p.Decision != p.Suggested || p.Reason == "" || p.Requirement == "" || p.Role == "" || p.Name == "" {
					t.Errorf("%s: incomplete row %+v", p.ID, p)
				}
			}
			for id, d := range tt.want {
				if p, ok := got[id]; !ok || p.Suggested != d {
					t.Errorf("%s: suggested %q (%s), want %q", id, p.Suggested, p.SuggestedReason, d)
				}
			}
		})
	}
	// An authority already notified stays "now", with when it was done.
	for _, p := range Plan(fullInput()) {
		if p.ID == AuthorityParty(JOIC) && p.SuggestedReason != "Notified on 11 March 2026, 15:30 UTC (online form)." {
			t.Errorf("JOIC reason = %q", p.SuggestedReason)
		}
	}
}
