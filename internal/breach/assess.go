package breach

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Decision is the engine's answer, shaped exactly as the output of BREACH_FACTS.md.
type Decision struct {
	Risk               RiskLevel    `json:"risk"`
	NotifyAuthority    bool         `json:"notify_authority"`
	NotifySubjects     bool         `json:"notify_subjects"`
	DocumentInternally bool         `json:"document_internally"`
	ENISA              ENISA        `json:"enisa"`
	Obligations        []Obligation `json:"obligations"`
	Unknowns           []string     `json:"unknowns"`
	Rationale          []string     `json:"rationale"`
}

// Obligation is what one jurisdiction requires towards one supervisory authority.
type Obligation struct {
	Jurisdiction    Jurisdiction `json:"jurisdiction"`
	Authority       string       `json:"authority"`
	NotifyAuthority bool         `json:"notify_authority"`
	// Deadline is aware_at + 72 hours (RFC 3339, UTC) when the authority must be notified and
	// aware_at is known; empty otherwise.
	Deadline         string   `json:"deadline"`
	NotifySubjects   bool     `json:"notify_subjects"`
	SubjectExemption string   `json:"subject_exemption"`
	Reasons          []string `json:"reasons"`
}

// RiskLevel is the overall risk to the rights and freedoms of the people affected.
type RiskLevel string

// Risk levels (GDPR Art. 33(1) and 34(1); seed 002).
const (
	RiskUnlikely RiskLevel = "unlikely" // record in the breach log only
	RiskRisk     RiskLevel = "risk"     // also notify the supervisory authority
	RiskHigh     RiskLevel = "high"     // also tell the people affected
)

// Exemptions from telling the people affected (GDPR and UK GDPR Art. 34(3); DPJL 2018
// Art. 20(7) per seed 002).
const (
	// ExemptionUnintelligible: the data was unintelligible to anyone unauthorised (Art. 34(3)(a)).
	ExemptionUnintelligible = "unintelligible_data"
	// ExemptionSubsequentMeasures: measures taken since mean the high risk is no longer
	// likely to materialise (Art. 34(3)(b)).
	ExemptionSubsequentMeasures = "subsequent_measures"
	// ExemptionDisproportionateEffort: telling each person would take disproportionate effort,
	// so a public communication informs them instead (Art. 34(3)(c)); NotifySubjects stays true.
	ExemptionDisproportionateEffort = "disproportionate_effort"
)

// Thresholds the legal sources leave to judgement; docs/BREACH_RULES.md explains each.
const (
	// largeScale is the number of people from which the number alone raises the risk a level
	// (GDPR Recital 75; EDPB Guidelines 9/2022 §IV.B; EDPB 01/2021 cases 07, 11 and 14).
	largeScale = 10_000
	// fewRecipients is the most known recipients that still count as "a few" (EDPB 01/2021
	// cases 13 and 16: a misdirected letter; case 14: a file e-mailed to everyone).
	fewRecipients = 100
	// promptRestoreHours is how soon data must be back for unavailability to count as brief
	// (EDPB 01/2021 case 01: hours; case 03: two days is not brief for a hospital).
	promptRestoreHours = 24
	// notifyWithin is the time allowed to notify the authority after becoming aware (GDPR and
	// UK GDPR Art. 33(1); DPJL 2018 Art. 20(1), seed 002).
	notifyWithin = 72 * time.Hour
)

// level grades the severity or the likelihood of harm to the people affected, on the
// four-point scale of the EDPB and the supervisory authorities' risk methods.
type level int

const (
	negligible level = iota
	limited
	significant
	maximum
)

func (l level) String() string {
	return [...]string{"negligible", "limited", "significant", "maximum"}[l]
}

func clampLevel(l level) level { return max(negligible, min(maximum, l)) }

// risk ranks RiskLevel so levels can be compared and raised.
type risk int

const (
	riskUnlikely risk = iota
	riskRisk
	riskHigh
)

func (r risk) level() RiskLevel { return [...]RiskLevel{RiskUnlikely, RiskRisk, RiskHigh}[r] }

func (r risk) phrase() string {
	return [...]string{
		"unlikely to result in a risk to people's rights and freedoms",
		"likely to result in a risk to people's rights and freedoms",
		"likely to result in a high risk to people's rights and freedoms",
	}[r]
}

// riskOf combines the severity and likelihood of harm into a risk (GDPR Recital 76: risk is
// evaluated by likelihood and severity; EDPB Guidelines 9/2022 §IV.B). Either being negligible
// means no risk; high risk needs one of them at maximum and the other at least significant.
func riskOf(s, l level) risk {
	if s == negligible || l == negligible {
		return riskUnlikely
	}
	switch sum := s + l; {
	case sum >= 5:
		return riskHigh
	case sum >= 3:
		return riskRisk
	default:
		return riskUnlikely
	}
}

// mode says which measures an evaluation takes into account. Evaluating the same facts with
// fewer measures shows which measure brought the risk down, which is what the Art. 34(3)
// exemptions turn on.
type mode int

const (
	// modeRaw: as if the data had no technical protection and nothing had been done since.
	modeRaw mode = iota
	// modeProtected: with the encryption or hashing that applied to the data.
	modeProtected
	// modeResidual: with the measures taken since too (recovery, deletion, remote wipe). The
	// decision rests on this risk; only this evaluation records unknowns and rationale.
	modeResidual
)

// assessor evaluates one set of facts in one mode.
type assessor struct {
	f        *Facts
	mode     mode
	unknowns []string // field paths assumed at their worse value, in the order the rules met them
	notes    []string // rationale sentences
}

func (a *assessor) recording() bool { return a.mode == modeResidual }

// unknown records that a rule needed the fact at path, did not have it, and assumed the worse.
func (a *assessor) unknown(path string) {
	if a.recording() && !slices.Contains(a.unknowns, path) {
		a.unknowns = append(a.unknowns, path)
	}
}

func (a *assessor) note(s string) {
	if a.recording() {
		a.notes = append(a.notes, s)
	}
}

// evaluation is the outcome of evaluating the facts in one mode.
type evaluation struct {
	risk  risk
	enisa ENISA
}

// dimension is the harm assessed for one of the three kinds of breach (confidentiality,
// integrity, availability; EDPB Guidelines 9/2022 §I.B.2), with the reasons behind each grade.
type dimension struct {
	name                   string
	severity, likelihood   level
	severityWhy, likelyWhy []string
	explain                bool // build the reasons: only the recording evaluation needs them
}

func (a *assessor) dimension(name string) dimension {
	return dimension{name: name, explain: a.recording()}
}

func (d *dimension) setSeverity(l level, reason string) {
	d.severity = l
	d.severityBecause(reason)
}

func (d *dimension) severityBecause(reason string) {
	if d.explain {
		d.severityWhy = append(d.severityWhy, reason)
	}
}

func (d *dimension) raiseSeverity(reason string) {
	d.severity = clampLevel(d.severity + 1)
	d.severityBecause(reason)
}

func (d *dimension) setLikelihood(l level, reason string) {
	d.likelihood = l
	d.because(reason)
}

// because adds a reason for the likelihood.
func (d *dimension) because(reason string) {
	if d.explain {
		d.likelyWhy = append(d.likelyWhy, reason)
	}
}

func (d *dimension) becausef(format string, args ...any) {
	if d.explain {
		d.likelyWhy = append(d.likelyWhy, fmt.Sprintf(format, args...))
	}
}

func (d *dimension) raiseLikelihood(reason string) {
	d.likelihood = clampLevel(d.likelihood + 1)
	d.because(reason)
}

func (d *dimension) lowerLikelihood(reason string) {
	d.likelihood = clampLevel(d.likelihood - 1)
	d.because(reason)
}

func (a *assessor) evaluate() evaluation {
	e := evaluation{enisa: a.enisa()}
	data := dataSeverity(e.enisa)
	live := false
	for _, d := range [...]dimension{a.confidentiality(data), a.integrity(data), a.availability()} {
		if d.name == "" {
			continue
		}
		r := riskOf(d.severity, d.likelihood)
		if a.recording() {
			a.note(fmt.Sprintf("%s: severity of harm %s (%s); likelihood of harm %s (%s): %s.", d.name,
				d.severity, strings.Join(d.severityWhy, "; "), d.likelihood, strings.Join(d.likelyWhy, "; "), r.level()))
		}
		if d.severity > negligible && d.likelihood > negligible {
			live = true
		}
		e.risk = max(e.risk, r)
	}
	if !live {
		// Nothing can plausibly harm anyone: the ENISA score and the number of people, which
		// measure how bad harm would be, cannot create a risk that is not there.
		return e
	}
	// ENISA 2013: medium severity and above means significant inconvenience at least; with a
	// real likelihood of harm that is a risk (a floor, never a reason to stay below it).
	if e.enisa.Score >= 2 && e.risk < riskRisk {
		e.risk = riskRisk
		a.note("The ENISA severity is " + bandWords(e.enisa.Band) + ", so the breach is at least a risk.")
	}
	// The number of people weighs on its own, whatever the ENISA score (GDPR Recital 75;
	// EDPB Guidelines 9/2022 §IV.B "number of affected individuals").
	if e.risk < riskHigh && a.largeScale() {
		e.risk++
		if a.recording() {
			a.note(fmt.Sprintf("%s raises the risk by one level (%d people or more).", a.describePeople(), largeScale))
		}
	}
	return e
}

// dataSeverity is the severity of harm the data itself can cause, from the ENISA initial score
// DPC × EI banded like SE (ENISA 2013): below 2 limited, below 3 significant, else maximum.
func dataSeverity(e ENISA) level {
	switch x := e.DPC * e.EI; {
	case x < 2:
		return limited
	case x < 3:
		return significant
	default:
		return maximum
	}
}

// largeScale reports whether the breach affects largeScale people or more. Without a count the
// number of records stands in (there are at least as many records as people, so it errs high);
// with neither, the breach is assumed large.
func (a *assessor) largeScale() bool {
	switch {
	case a.f.Subjects.Count != nil:
		return *a.f.Subjects.Count >= largeScale
	case a.f.Data.Records != nil:
		return *a.f.Data.Records >= largeScale
	default:
		a.unknown("subjects.count")
		return true
	}
}

func (a *assessor) describePeople() string {
	switch {
	case a.f.Subjects.Count != nil:
		return fmt.Sprintf("The number of people affected, %d,", *a.f.Subjects.Count)
	case a.f.Data.Records != nil:
		return fmt.Sprintf("The number of people affected, up to %d (counted as records),", *a.f.Data.Records)
	default:
		return "The number of people affected, not known and so assumed large,"
	}
}

// confidentialityInPlay reports whether the facts show, or cannot exclude, a loss of
// confidentiality. Positive evidence wins. Unlike alteration or unavailability, which the
// controller sees, disclosure is often invisible, so silence is not taken as "no disclosure"
// (EDPB 01/2021 ¶19: consider exfiltration that left no trace).
func (a *assessor) confidentialityInPlay() bool {
	c := a.f.Confidentiality
	switch {
	case isTrue(c.Lost), c.Exposure != "" && c.Exposure != ExposureNone,
		c.Exfiltration != "" && c.Exfiltration != ExfiltrationRuledOut, isTrue(a.f.MisuseObserved):
		return true
	case isFalse(c.Lost), c.Exposure == ExposureNone, c.Exfiltration == ExfiltrationRuledOut:
		return false
	}
	a.unknown("confidentiality.lost")
	return true
}

// exposure is who could have the data, assuming the worse when not known. "none" with an
// exfiltration that is not ruled out means nobody identifiable has it, i.e. unknown recipients.
func (a *assessor) exposure() Exposure {
	switch e := a.f.Confidentiality.Exposure; e {
	case "":
		a.unknown("confidentiality.exposure")
		return ExposureUnknownRecipients
	case ExposureNone:
		return ExposureUnknownRecipients
	default:
		return e
	}
}

// trustedRecipientContained reports whether a trusted recipient is bound by confidentiality
// or, once measures count, has confirmed deletion (EDPB Guidelines 9/2022 §IV.B, trusted
// recipient; EDPB 01/2021 case 09).
func (a *assessor) trustedRecipientContained() bool {
	c := a.f.Confidentiality
	return isTrue(c.RecipientBoundByConfidentiality) ||
		(a.mode == modeResidual && isTrue(c.RecipientConfirmedDeletion))
}

// malicious reports malicious intent, assumed when not known.
func (a *assessor) malicious() bool {
	m := a.f.Cause.Malicious
	if m == nil {
		a.unknown("cause.malicious")
		return true
	}
	return *m
}

// vulnerable reports whether the people are vulnerable: said so, or of a kind that is
// (children, patients, vulnerable adults). With neither said, vulnerability is assumed.
func (a *assessor) vulnerable() bool {
	s := a.f.Subjects
	if isTrue(s.Vulnerable) {
		return true
	}
	for _, k := range s.Kinds {
		if k == KindChildren || k == KindPatients || k == KindVulnerableAdults {
			return true
		}
	}
	if s.Vulnerable == nil && len(s.Kinds) == 0 {
		a.unknown("subjects.vulnerable")
		return true
	}
	return false
}

// unintelligible says how, if at all, the breached data was unintelligible to whoever got it:
// state-of-the-art encryption with a key that was not compromised (GDPR Art. 34(3)(a);
// EDPB 01/2021 ¶20 and case 10), or only passwords hashed with a salted state-of-the-art
// algorithm (EDPB 01/2021 case 06). It returns "" when the data was readable.
func (a *assessor) unintelligible() string {
	p := a.f.Protection
	if p.Encryption == EncryptionStateOfTheArt {
		if isFalse(p.KeyCompromised) {
			return "but the data was encrypted to the state of the art and the key is safe"
		}
		if p.KeyCompromised == nil {
			a.unknown("protection.key_compromised")
		}
	}
	if p.PasswordHashing == HashingStateOfTheArtSalted && onlyCredentials(a.f.Data.Categories) {
		return "but the data was only passwords hashed with a salted state-of-the-art algorithm"
	}
	if p.Encryption == "" {
		a.unknown("protection.encryption")
	}
	return ""
}

func onlyCredentials(cats []Category) bool {
	return len(cats) > 0 && !slices.ContainsFunc(cats, func(c Category) bool { return c != CategoryCredentials })
}

// confidentiality assesses harm from disclosure of or access to the data.
func (a *assessor) confidentiality(data level) dimension {
	if !a.confidentialityInPlay() {
		return dimension{}
	}
	c := a.f.Confidentiality
	d := a.dimension("Confidentiality")
	d.setSeverity(data, "what the data reveals")
	if c.Exfiltration == ExfiltrationRuledOut && !isTrue(a.f.MisuseObserved) {
		// Nobody got the data, so who might have had it does not matter. (Observed misuse
		// proves the finding wrong, and is handled below.)
		d.setLikelihood(negligible, "exfiltration ruled out")
		return d
	}
	exposure := a.exposure()
	// Data in the hands of people whose intentions are unknown or possibly malicious makes the
	// consequences more severe (EDPB Guidelines 9/2022 §IV.B, severity; EDPB 01/2021 case 05).
	switch exposure {
	case ExposureUnknownRecipients:
		d.raiseSeverity("held by unknown recipients")
	case ExposurePublic:
		d.raiseSeverity("open to the public")
	}

	switch c.Exfiltration {
	case ExfiltrationRuledOut:
		d.setLikelihood(negligible, "exfiltration ruled out")
	case ExfiltrationUnlikely:
		d.setLikelihood(limited, "exfiltration unlikely")
	case ExfiltrationCannotBeExcluded:
		d.setLikelihood(significant, "exfiltration cannot be excluded")
	case ExfiltrationConfirmed:
		d.setLikelihood(significant, "exfiltration confirmed")
	default:
		// Unknown exfiltration is not "no exfiltration" (BREACH_FACTS.md; EDPB 01/2021 ¶19).
		a.unknown("confidentiality.exfiltration")
		d.setLikelihood(significant, "exfiltration not known, so not excluded")
	}
	switch exposure {
	case ExposureTrustedRecipient:
		// A trusted recipient bound by confidentiality is unlikely to misuse the data
		// (EDPB Guidelines 9/2022 §IV.B; EDPB 01/2021 case 09).
		d.setLikelihood(min(d.likelihood, limited), "a trusted recipient")
		if isTrue(c.RecipientBoundByConfidentiality) {
			d.setLikelihood(negligible, "bound by confidentiality")
		}
	case ExposureKnownRecipients:
		switch {
		case c.Recipients == nil:
			a.unknown("confidentiality.recipients")
			d.because("known recipients, how many not known")
		case *c.Recipients <= fewRecipients:
			// A few identified recipients of a misdirected letter or e-mail (EDPB 01/2021
			// cases 13 and 16).
			d.likelihood = min(d.likelihood, limited)
			d.becausef("%d known recipient(s)", *c.Recipients)
		default:
			d.becausef("%d known recipients", *c.Recipients)
		}
		if isTrue(c.RecipientBoundByConfidentiality) {
			d.lowerLikelihood("recipients bound by confidentiality")
		}
	case ExposurePublic:
		d.raiseLikelihood("open to the public")
	default:
		d.because("unknown recipients")
	}
	// Malicious intent makes misuse more likely, whatever the ENISA score (EDPB Guidelines
	// 9/2022 §IV.B; ENISA 2013, circumstances).
	if d.likelihood > negligible && a.malicious() {
		d.raiseLikelihood("malicious intent")
	}
	if d.likelihood > negligible && isTrue(a.f.Ongoing) {
		d.raiseLikelihood("still ongoing")
	}
	if isTrue(a.f.MisuseObserved) {
		// Harm is materialising: nothing below can make it unlikely (EDPB 01/2021 case 17).
		d.setLikelihood(maximum, "misuse observed")
		return d
	}
	if a.mode >= modeProtected && d.likelihood > negligible {
		// Unintelligible data cannot be read or used (GDPR Art. 34(3)(a); EDPB 01/2021 ¶20).
		if why := a.unintelligible(); why != "" {
			d.setLikelihood(negligible, why)
		}
	}
	if a.mode == modeResidual && d.likelihood > negligible {
		a.subsequentMeasures(&d, exposure)
	}
	return d
}

// subsequentMeasures lowers the likelihood for what was done after the breach: each measure
// takes it down a level (GDPR Art. 34(3)(b); EDPB 01/2021 cases 09, 10 and 13).
func (a *assessor) subsequentMeasures(d *dimension, exposure Exposure) {
	c, p := a.f.Confidentiality, a.f.Protection
	if isTrue(c.DataRecovered) && exposure != ExposurePublic {
		d.lowerLikelihood("data recovered")
	}
	if isTrue(c.RecipientConfirmedDeletion) && (exposure == ExposureTrustedRecipient || exposure == ExposureKnownRecipients) {
		d.lowerLikelihood("recipient confirmed deletion")
	}
	if isTrue(p.RemoteWipe) {
		d.lowerLikelihood("device wiped remotely")
	}
}

func (a *assessor) integrityInPlay() bool {
	i := a.f.Integrity
	return isTrue(i.Lost) || isTrue(i.AlteredDataUsed)
}

// integrityFacts says whether altered data was (or may have been) used and whether it can be
// recovered, assuming the worse when not known.
func (a *assessor) integrityFacts() (used, recoverable bool) {
	i := a.f.Integrity
	if i.AlteredDataUsed == nil {
		a.unknown("integrity.altered_data_used")
	}
	if i.Recoverable == nil {
		a.unknown("integrity.recoverable")
	}
	return !isFalse(i.AlteredDataUsed), isTrue(i.Recoverable)
}

// integrity assesses harm from altered data: decisions taken on wrong data harm people in
// proportion to what the data is about (ENISA 2013, loss of integrity).
func (a *assessor) integrity(data level) dimension {
	if !a.integrityInPlay() {
		return dimension{}
	}
	d := a.dimension("Integrity")
	d.setSeverity(data, "what the data is about")
	switch used, recoverable := a.integrityFacts(); {
	case !used && recoverable:
		d.setLikelihood(negligible, "altered data not used and recoverable")
	case !used:
		d.setLikelihood(limited, "altered data not used so far, not recoverable")
	case recoverable:
		d.setLikelihood(significant, "altered data used or possibly used, recoverable")
	default:
		d.setLikelihood(maximum, "altered data used or possibly used, not recoverable")
	}
	if d.likelihood > negligible && isTrue(a.f.Ongoing) {
		d.raiseLikelihood("still ongoing")
	}
	return d
}

func (a *assessor) availabilityInPlay() bool {
	av := a.f.Availability
	return isTrue(av.Lost) || isTrue(av.Permanent)
}

// availability assesses harm from lost access to the data: its severity is the impact on the
// people, its likelihood grows with the duration (EDPB 01/2021 cases 01–03; EDPB Guidelines
// 9/2022 §I.B.2: temporary unavailability can be a breach that needs notifying).
func (a *assessor) availability() dimension {
	if !a.availabilityInPlay() {
		return dimension{}
	}
	av := a.f.Availability
	d := a.dimension("Availability")
	switch av.ImpactOnSubjects {
	case ImpactNone:
		d.setSeverity(negligible, "no impact on the people")
	case ImpactMinor:
		d.setSeverity(limited, "minor impact on the people")
	case ImpactSignificant:
		d.setSeverity(significant, "significant impact on the people")
	case ImpactSevere:
		d.setSeverity(maximum, "severe impact on the people")
	default:
		a.unknown("availability.impact_on_subjects")
		d.setSeverity(significant, "impact on the people not known")
	}
	if d.severity > negligible && a.vulnerable() {
		// Vulnerable people depend more on their data being there (GDPR Recital 75;
		// EDPB 01/2021 case 03).
		d.raiseSeverity("vulnerable people")
	}
	switch hours := av.RestoredWithinHours; {
	case isTrue(av.Permanent):
		d.setLikelihood(maximum, "data permanently lost")
	case hours == nil:
		a.unknown("availability.restored_within_hours")
		d.setLikelihood(significant, "restoration time not known")
	case *hours <= promptRestoreHours:
		d.likelihood = limited
		d.becausef("restored within %s hours", num(*hours))
	default:
		d.likelihood = significant
		d.becausef("unavailable for %s hours", num(*hours))
	}
	if isTrue(a.f.Ongoing) {
		d.raiseLikelihood("still ongoing")
	}
	return d
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }
