package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Role is a job someone does in incident management.
type Role string

// Roles (seed 001 §3.5, §5.5; glossary).
const (
	RoleReporter Role = "reporter" // may report and follow their own reports
	RoleHandler  Role = "handler"  // triages and works incidents
	RoleDPO      Role = "dpo"      // privacy officer: breach assessments, usually the investigating officer
	RoleApprover Role = "approver" // SIRO / executive: approves actions, sees restricted incidents
	RoleAuditor  Role = "auditor"  // read-only
	RoleAdmin    Role = "admin"    // manages users and settings
	RolePeople   Role = "people"   // head of people: staff support and conduct (seed 001 §5.3–5.4)
)

// AllRoles lists the roles in a stable order.
var AllRoles = []Role{RoleReporter, RoleHandler, RoleDPO, RoleApprover, RoleAuditor, RoleAdmin, RolePeople}

// ParseRoles reads a comma-separated list of roles, e.g. "handler,dpo"; "people" is the
// people-matters role (the head of people).
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, p := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(strings.ToLower(p)))
		if r == "" {
			continue
		}
		if !slices.Contains(AllRoles, r) {
			return nil, fmt.Errorf("unknown role %q (roles: %s)", r, JoinRoles(AllRoles))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one role is required (roles: %s)", JoinRoles(AllRoles))
	}
	return out, nil
}

// JoinRoles is the stored form of a role list.
func JoinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// Principal is who is acting: a signed-in user, a token's user, a public reporter, or the system.
type Principal struct {
	UserID int64
	OrgID  int64
	Email  string
	Name   string
	Roles  []Role
	// Kind distinguishes public reporters and system jobs, which have no user.
	Kind PrincipalKind
}

// PrincipalKind says what sort of actor a principal is.
type PrincipalKind int

// Principal kinds.
const (
	KindUser PrincipalKind = iota
	KindPublic
	KindSystem
)

// Label is how the actor appears in the record of events.
func (p Principal) Label() string {
	switch p.Kind {
	case KindPublic:
		return "public reporter"
	case KindSystem:
		return "system"
	}
	return p.Email
}

// Has reports whether the principal holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

func (p Principal) hasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Label is how a role is named on screen.
func (r Role) Label() string {
	if r == RolePeople {
		return "people matters"
	}
	return string(r)
}
