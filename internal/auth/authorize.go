package auth

// Action is something a principal asks to do.
type Action string

// Actions checked by Can. Every service entry point names one.
const (
	CreateIncident Action = "incident.create"
	ReadIncident   Action = "incident.read"
	UpdateIncident Action = "incident.update"
	ListIncidents  Action = "incident.list"
	ReadEvents     Action = "incident.events"
	ManageUsers    Action = "user.manage"
	VerifyAudit    Action = "audit.verify"
	SubmitReport   Action = "report.submit"
	// ReadQuarantine lists the e-mails intake refused (they may be hostile: administrators).
	ReadQuarantine Action = "intake.quarantine"
	// Personal-data breach assessment: handlers answer the questionnaire, the DPO (or an
	// approver) decides on the recommendation, and an approver signs the decision off.
	AssessBreach  Action = "breach.assess"
	DecideBreach  Action = "breach.decide"
	ApproveBreach Action = "breach.approve"
	// Importing and exporting the register in bulk (vigil import, vigil export veris and
	// incidents): imports write many incidents at once, so only administrators (and the
	// CLI) run them; exports are limited further by visibility and the TLP audience.
	ImportIncidents Action = "incident.import"
	ExportIncidents Action = "incident.export"
	// Approval requests (internal/approval): approvers decide them and waive reviews.
	DecideApproval Action = "approval.decide"
	// People matters (seed 001 §5.3–5.4): staff support, conduct and suspension, kept from
	// everyone but the head of people and the approvers.
	ReadPeopleMatters Action = "people.read"
	EditPeopleMatters Action = "people.edit"
	// Playbooks: an organisation's own versions of the response checklists.
	EditPlaybooks Action = "playbook.edit"
	// The breach log and the quarterly return are registers for accountability: the DPO,
	// approvers, auditors and administrators read and export them.
	ReadBreachLog Action = "breach_log.read"
	ReadReturn    Action = "return.read"
	// Notices (issue 7): the incident team prepares the plan, regulator packs and letter runs;
	// the DPO or an approver sends letters to the people affected; the DPO or an
	// administrator edits the organisation's letter templates and notice details.
	ReadNotices         Action = "notice.read" // templates and notice settings: staff, not reporters
	PrepareNotice       Action = "notice.prepare"
	SendLetters         Action = "notice.send_letters"
	EditLetterTemplates Action = "notice.edit_templates"
)

// Subject is what the authoriser needs to know about an incident to decide.
type Subject struct {
	OrgID          int64
	Restricted     bool
	ReporterUserID int64
	OwnerID        int64
	// Named is true when the principal is on the incident's need-to-know list.
	Named bool
}

// Visibility is how much of the register a principal may list.
type Visibility int

// Visibility levels, widest first.
const (
	SeeAll          Visibility = iota // approvers: restricted incidents too
	SeeUnrestricted                   // handlers, DPOs, auditors, admins: unrestricted plus those they are named on or own
	SeeOwnReports                     // reporters: only what they reported
	SeeNothing
)

// VisibilityOf decides which incidents a principal may see in lists; Can applies the same
// rule to single incidents, so lists and reads never disagree.
func VisibilityOf(p Principal) Visibility {
	switch {
	case p.Kind == KindSystem || p.Has(RoleApprover):
		return SeeAll
	case p.hasAny(RoleHandler, RoleDPO, RoleAuditor, RoleAdmin):
		return SeeUnrestricted
	case p.Has(RolePeople):
		// The head of people needs the incident's context to support staff; restricted
		// incidents only when named on them, as for handlers.
		return SeeUnrestricted
	case p.Has(RoleReporter):
		return SeeOwnReports
	}
	return SeeNothing
}

// Can is the single place that decides authorisation. sub is nil for actions that are not
// about one incident.
func Can(p Principal, a Action, sub *Subject) bool {
	if sub != nil && p.Kind != KindSystem && sub.OrgID != p.OrgID {
		return false
	}
	switch a {
	case SubmitReport:
		return true // anyone may report (seed 001 §3.2); the public endpoint can be switched off
	case ReadQuarantine:
		return p.Kind == KindSystem || p.Has(RoleAdmin)
	case CreateIncident:
		return p.Kind == KindSystem || p.hasAny(RoleReporter, RoleHandler, RoleDPO, RoleApprover, RoleAdmin)
	case ListIncidents:
		return VisibilityOf(p) != SeeNothing
	case ReadIncident, ReadEvents:
		return canSee(p, sub)
	case UpdateIncident:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RoleHandler, RoleDPO, RoleApprover))
	case AssessBreach:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RoleHandler, RoleDPO, RoleApprover))
	case DecideBreach:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RoleDPO, RoleApprover))
	case ApproveBreach:
		return canSee(p, sub) && (p.Kind == KindSystem || p.Has(RoleApprover))
	case ReadNotices:
		return p.Kind == KindSystem || p.hasAny(RoleHandler, RoleDPO, RoleApprover, RoleAuditor, RoleAdmin)
	case PrepareNotice:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RoleHandler, RoleDPO, RoleApprover))
	case SendLetters:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RoleDPO, RoleApprover))
	case EditLetterTemplates:
		return p.Kind == KindSystem || p.hasAny(RoleDPO, RoleAdmin)
	case ManageUsers:
		return p.Kind == KindSystem || p.Has(RoleAdmin)
	case DecideApproval:
		return canSee(p, sub) && (p.Kind == KindSystem || p.Has(RoleApprover))
	case ReadPeopleMatters, EditPeopleMatters:
		return canSee(p, sub) && (p.Kind == KindSystem || p.hasAny(RolePeople, RoleApprover))
	case EditPlaybooks:
		return p.Kind == KindSystem || p.Has(RoleAdmin)
	case ReadBreachLog, ReadReturn:
		return p.Kind == KindSystem || p.hasAny(RoleDPO, RoleApprover, RoleAuditor, RoleAdmin)
	case VerifyAudit:
		return p.Kind == KindSystem || p.hasAny(RoleAuditor, RoleAdmin, RoleApprover)
	case ImportIncidents:
		return p.Kind == KindSystem || p.Has(RoleAdmin)
	case ExportIncidents:
		return p.Kind == KindSystem || p.hasAny(RoleHandler, RoleDPO, RoleApprover, RoleAuditor, RoleAdmin)
	}
	return false
}

func canSee(p Principal, sub *Subject) bool {
	if sub == nil {
		return false
	}
	mine := p.UserID != 0 && (sub.OwnerID == p.UserID || sub.Named)
	switch VisibilityOf(p) {
	case SeeAll:
		return true
	case SeeUnrestricted:
		return !sub.Restricted || mine
	case SeeOwnReports:
		// A reporter follows their own report but never sees it once it is restricted
		// unless named: need-to-know applies to them too.
		return p.UserID != 0 && sub.ReporterUserID == p.UserID && (!sub.Restricted || mine)
	}
	return false
}
