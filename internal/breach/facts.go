// Package breach owns the personal-data-breach facts document (vigil.breach-facts/v1), its
// strict decoder, and the notification-decision engine that turns facts into a Decision.
//
// The package is pure: it does no I/O beyond the reader handed to Decode, reads no clock and
// keeps no mutable state, so the same facts always give the same decision. It must not import
// the store, the service layer or anything that talks to the network; callers persist and
// present decisions. The contract it implements is ../shared/design/BREACH_FACTS.md and every
// rule it applies is listed, with its legal source, in docs/BREACH_RULES.md.
package breach

import "time"

// Schema is the only value the optional "schema" field may take.
const Schema = "vigil.breach-facts/v1"

// Facts is what a handler can establish about a personal-data breach. Every field is optional
// except Jurisdictions: a missing fact means "not known" and the engine assumes the worse value.
// Pointers distinguish "false"/"0" from "not known".
type Facts struct {
	Schema              string         `json:"schema,omitempty"`
	Jurisdictions       []Jurisdiction `json:"jurisdictions"`
	EUMemberStates      []Country      `json:"eu_member_states,omitempty"`
	EUMainEstablishment Country        `json:"eu_main_establishment,omitempty"`
	Role                Role           `json:"role,omitempty"`
	OccurredAt          *time.Time     `json:"occurred_at,omitempty"`
	// AwareAt is when the controller became reasonably certain that personal data was
	// compromised; the 72-hour clock starts here (EDPB Guidelines 9/2022 §II.A.2).
	AwareAt         *time.Time      `json:"aware_at,omitempty"`
	PersonalData    PersonalData    `json:"personal_data,omitempty"`
	Subjects        Subjects        `json:"subjects,omitzero"`
	Data            Data            `json:"data,omitzero"`
	Confidentiality Confidentiality `json:"confidentiality,omitzero"`
	Integrity       Integrity       `json:"integrity,omitzero"`
	Availability    Availability    `json:"availability,omitzero"`
	Protection      Protection      `json:"protection,omitzero"`
	Cause           Cause           `json:"cause,omitzero"`
	// MisuseObserved reports fraud, identity theft, publication or blackmail seen so far;
	// absent means none has been seen, not "unknown".
	MisuseObserved *bool `json:"misuse_observed,omitempty"`
	Ongoing        *bool `json:"ongoing,omitempty"`
	// Mitigations are recorded in the rationale, never interpreted: they are free text.
	Mitigations []string `json:"mitigations,omitempty"`
}

// Subjects describes the people whose data was involved.
type Subjects struct {
	Count           *int64        `json:"count,omitempty"`
	CountIsEstimate *bool         `json:"count_is_estimate,omitempty"`
	Kinds           []SubjectKind `json:"kinds,omitempty"`
	Vulnerable      *bool         `json:"vulnerable,omitempty"`
}

// Data describes the personal data involved.
type Data struct {
	Categories       []Category `json:"categories,omitempty"`
	Records          *int64     `json:"records,omitempty"`
	VolumePerSubject Volume     `json:"volume_per_subject,omitempty"`
}

// Confidentiality describes unauthorised or accidental disclosure of, or access to, the data.
type Confidentiality struct {
	Lost                            *bool        `json:"lost,omitempty"`
	Exposure                        Exposure     `json:"exposure,omitempty"`
	Recipients                      *int64       `json:"recipients,omitempty"`
	Exfiltration                    Exfiltration `json:"exfiltration,omitempty"`
	RecipientBoundByConfidentiality *bool        `json:"recipient_bound_by_confidentiality,omitempty"`
	RecipientConfirmedDeletion      *bool        `json:"recipient_confirmed_deletion,omitempty"`
	DataRecovered                   *bool        `json:"data_recovered,omitempty"`
}

// Integrity describes unauthorised or accidental alteration of the data.
type Integrity struct {
	Lost            *bool `json:"lost,omitempty"`
	AlteredDataUsed *bool `json:"altered_data_used,omitempty"`
	Recoverable     *bool `json:"recoverable,omitempty"`
}

// Availability describes loss of access to, or destruction of, the data.
type Availability struct {
	Lost                *bool    `json:"lost,omitempty"`
	Permanent           *bool    `json:"permanent,omitempty"`
	RestoredWithinHours *float64 `json:"restored_within_hours,omitempty"`
	ImpactOnSubjects    Impact   `json:"impact_on_subjects,omitempty"`
}

// Protection describes the technical measures that applied to the data when it was breached,
// and remote wipe, the one measure taken afterwards that the facts record as a flag.
type Protection struct {
	Encryption      Encryption `json:"encryption,omitempty"`
	KeyCompromised  *bool      `json:"key_compromised,omitempty"`
	PasswordHashing Hashing    `json:"password_hashing,omitempty"`
	Pseudonymised   *bool      `json:"pseudonymised,omitempty"`
	RemoteWipe      *bool      `json:"remote_wipe,omitempty"`
}

// Cause describes how the breach came about.
type Cause struct {
	Malicious   *bool  `json:"malicious,omitempty"`
	Actor       Actor  `json:"actor,omitempty"`
	Description string `json:"description,omitempty"`
}

// Jurisdiction is a legal regime whose notification rules apply.
type Jurisdiction string

// Jurisdictions the engine knows.
const (
	JurisdictionUK Jurisdiction = "UK" // UK GDPR and the Data Protection Act 2018; the ICO
	JurisdictionEU Jurisdiction = "EU" // GDPR; the EEA supervisory authorities
	JurisdictionJE Jurisdiction = "JE" // Data Protection (Jersey) Law 2018; the JOIC
)

// Role is the organisation's role in the processing that was breached.
type Role string

// Roles.
const (
	RoleController Role = "controller"
	RoleProcessor  Role = "processor"
)

// PersonalData says whether personal data was involved.
type PersonalData string

// Answers to "was personal data involved?".
const (
	PersonalDataYes     PersonalData = "yes"
	PersonalDataNo      PersonalData = "no"
	PersonalDataUnknown PersonalData = "unknown"
)

// SubjectKind is a kind of affected person.
type SubjectKind string

// Kinds of affected people.
const (
	KindCustomers        SubjectKind = "customers"
	KindEmployees        SubjectKind = "employees"
	KindPatients         SubjectKind = "patients"
	KindChildren         SubjectKind = "children"
	KindStudents         SubjectKind = "students"
	KindVulnerableAdults SubjectKind = "vulnerable_adults"
	KindUsers            SubjectKind = "users"
	KindPublic           SubjectKind = "public"
	KindOther            SubjectKind = "other"
)

// Category is a category of personal data.
type Category string

// Ordinary categories.
const (
	CategoryBasicIdentifiers      Category = "basic_identifiers"
	CategoryContact               Category = "contact"
	CategoryIdentificationNumbers Category = "identification_numbers"
	CategoryFinancial             Category = "financial"
	CategoryPaymentCard           Category = "payment_card"
	CategoryCredentials           Category = "credentials"
	CategoryLocation              Category = "location"
	CategoryBehavioural           Category = "behavioural"
	CategoryCommunications        Category = "communications"
	CategoryEmploymentEducation   Category = "employment_education"
	CategoryOfficialDocuments     Category = "official_documents"
	CategoryImages                Category = "images"
)

// Special categories: GDPR Art. 9, plus criminal data (GDPR Art. 10; special category under
// the DPJL 2018 per seed 002).
const (
	CategoryHealth             Category = "health"
	CategoryGenetic            Category = "genetic"
	CategoryBiometric          Category = "biometric"
	CategoryRacialEthnic       Category = "racial_ethnic"
	CategoryPolitical          Category = "political"
	CategoryReligious          Category = "religious"
	CategoryTradeUnion         Category = "trade_union"
	CategorySexLifeOrientation Category = "sex_life_orientation"
	CategoryCriminal           Category = "criminal"
)

// Volume is how much data about each person was involved.
type Volume string

// Volumes.
const (
	VolumeSingle  Volume = "single"
	VolumeHistory Volume = "history" // months or years of records about each person
)

// Exposure is who could have seen the data.
type Exposure string

// Exposures, from least to most exposed.
const (
	ExposureNone              Exposure = "none"
	ExposureTrustedRecipient  Exposure = "trusted_recipient"
	ExposureKnownRecipients   Exposure = "known_recipients"
	ExposureUnknownRecipients Exposure = "unknown_recipients"
	ExposurePublic            Exposure = "public"
)

// Exfiltration is what is known about data leaving the controller's hands.
type Exfiltration string

// Exfiltration findings.
const (
	ExfiltrationRuledOut         Exfiltration = "ruled_out"
	ExfiltrationUnlikely         Exfiltration = "unlikely"
	ExfiltrationCannotBeExcluded Exfiltration = "cannot_be_excluded"
	ExfiltrationConfirmed        Exfiltration = "confirmed"
)

// Impact is the effect of unavailability on the people affected.
type Impact string

// Impacts.
const (
	ImpactNone        Impact = "none"
	ImpactMinor       Impact = "minor"
	ImpactSignificant Impact = "significant"
	ImpactSevere      Impact = "severe"
)

// Encryption is how the breached data was encrypted.
type Encryption string

// Encryption strengths.
const (
	EncryptionNone          Encryption = "none"
	EncryptionWeak          Encryption = "weak"
	EncryptionStateOfTheArt Encryption = "state_of_the_art"
)

// Hashing is how breached passwords were hashed.
type Hashing string

// Password hashing strengths.
const (
	HashingNone                Hashing = "none"
	HashingWeak                Hashing = "weak"
	HashingStateOfTheArtSalted Hashing = "state_of_the_art_salted"
)

// Actor is who caused the breach.
type Actor string

// Actors.
const (
	ActorExternal Actor = "external"
	ActorInternal Actor = "internal"
	ActorPartner  Actor = "partner"
	ActorUnknown  Actor = "unknown"
	ActorNone     Actor = "none"
)

// Country is an ISO 3166-1 alpha-2 code of an EEA state (Greece also as "EL", the EU's code).
type Country string

// The valid values of each enumeration, in the order the contract lists them. The decoder
// rejects anything else, naming the field.
var (
	jurisdictions = []Jurisdiction{JurisdictionUK, JurisdictionEU, JurisdictionJE}
	roles         = []Role{RoleController, RoleProcessor}
	personalDatas = []PersonalData{PersonalDataYes, PersonalDataNo, PersonalDataUnknown}
	subjectKinds  = []SubjectKind{KindCustomers, KindEmployees, KindPatients, KindChildren,
		KindStudents, KindVulnerableAdults, KindUsers, KindPublic, KindOther}
	volumes       = []Volume{VolumeSingle, VolumeHistory}
	exposures     = []Exposure{ExposureNone, ExposureTrustedRecipient, ExposureKnownRecipients, ExposureUnknownRecipients, ExposurePublic}
	exfiltrations = []Exfiltration{ExfiltrationRuledOut, ExfiltrationUnlikely, ExfiltrationCannotBeExcluded, ExfiltrationConfirmed}
	impacts       = []Impact{ImpactNone, ImpactMinor, ImpactSignificant, ImpactSevere}
	encryptions   = []Encryption{EncryptionNone, EncryptionWeak, EncryptionStateOfTheArt}
	hashings      = []Hashing{HashingNone, HashingWeak, HashingStateOfTheArtSalted}
	actors        = []Actor{ActorExternal, ActorInternal, ActorPartner, ActorUnknown, ActorNone}
	schemas       = []string{Schema}
)
