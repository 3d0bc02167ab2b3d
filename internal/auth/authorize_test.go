package auth

import "testing"

func TestCan(t *testing.T) {
	handler := Principal{UserID: 1, OrgID: 1, Roles: []Role{RoleHandler}}
	approver := Principal{UserID: 2, OrgID: 1, Roles: []Role{RoleApprover}}
	reporter := Principal{UserID: 3, OrgID: 1, Roles: []Role{RoleReporter}}
	auditor := Principal{UserID: 4, OrgID: 1, Roles: []Role{RoleAuditor}}
	other := Principal{UserID: 5, OrgID: 2, Roles: []Role{RoleApprover}}
	open := &Subject{OrgID: 1, ReporterUserID: 3}
	restricted := &Subject{OrgID: 1, Restricted: true, ReporterUserID: 3}
	named := &Subject{OrgID: 1, Restricted: true, Named: true}
	tests := []struct {
		name string
		p    Principal
		a    Action
		sub  *Subject
		want bool
	}{
		{"handler reads open", handler, ReadIncident, open, true},
		{"handler cannot read restricted", handler, ReadIncident, restricted, false},
		{"handler named reads restricted", handler, ReadIncident, named, true},
		{"approver reads restricted", approver, ReadIncident, restricted, true},
		{"other org approver", other, ReadIncident, open, false},
		{"reporter reads own", reporter, ReadIncident, open, true},
		{"reporter cannot update", reporter, UpdateIncident, open, false},
		{"reporter cannot read own once restricted", reporter, ReadIncident, restricted, false},
		{"reporter cannot read others", reporter, ReadIncident, &Subject{OrgID: 1, ReporterUserID: 9}, false},
		{"auditor reads", auditor, ReadIncident, open, true},
		{"auditor cannot update", auditor, UpdateIncident, open, false},
		{"auditor cannot create", auditor, CreateIncident, nil, false},
		{"handler cannot manage users", handler, ManageUsers, nil, false},
		{"nobody reads nil subject", approver, ReadIncident, nil, false},
		{"no roles cannot list", Principal{UserID: 6, OrgID: 1}, ListIncidents, nil, false},
	}
	for _, tc := range tests {
		if got := Can(tc.p, tc.a, tc.sub); got != tc.want {
			t.Errorf("%s: Can = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterx") || CheckPassword("", "x") {
		t.Fatal("password check wrong")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
}
