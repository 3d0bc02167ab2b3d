package auth

import "testing"

// TestCanNotices: who prepares notices, sends letters and edits templates (docs/PERMISSIONS.md).
func TestCanNotices(t *testing.T) {
	open := &Subject{OrgID: 1}
	restricted := &Subject{OrgID: 1, Restricted: true}
	roles := []Role{RoleReporter, RoleHandler, RoleDPO, RoleApprover, RoleAuditor, RoleAdmin}
	want := map[Action][]Role{
		PrepareNotice:       {RoleHandler, RoleDPO, RoleApprover},
		SendLetters:         {RoleDPO, RoleApprover},
		EditLetterTemplates: {RoleDPO, RoleAdmin},
		ReadNotices:         {RoleHandler, RoleDPO, RoleApprover, RoleAuditor, RoleAdmin},
	}
	for a, allowed := range want {
		for _, r := range roles {
			p := Principal{UserID: 7, OrgID: 1, Roles: []Role{r}}
			sub := open
			if a == EditLetterTemplates || a == ReadNotices {
				sub = nil
			}
			exp := false
			for _, ok := range allowed {
				exp = exp || ok == r
			}
			if got := Can(p, a, sub); got != exp {
				t.Errorf("%s as %s: %v, want %v", a, r, got, exp)
			}
		}
	}
	// Need-to-know holds: a DPO not named on a restricted incident cannot send its letters.
	if Can(Principal{UserID: 7, OrgID: 1, Roles: []Role{RoleDPO}}, SendLetters, restricted) {
		t.Error("DPO sent letters of a restricted incident they are not named on")
	}
}
