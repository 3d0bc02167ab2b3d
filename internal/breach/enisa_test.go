package breach

import "testing"

func TestBand(t *testing.T) {
	tests := []struct {
		score float64
		want  string
	}{
		{0, BandLow}, {1.5, BandLow}, {1.99, BandLow},
		{2, BandMedium}, {2.75, BandMedium}, {2.99, BandMedium},
		{3, BandHigh}, {3.75, BandHigh}, {3.99, BandHigh},
		{4, BandVeryHigh}, {4.75, BandVeryHigh}, {6, BandVeryHigh},
	}
	for _, tt := range tests {
		if got := Band(tt.score); got != tt.want {
			t.Errorf("Band(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

// enisaBase is a breach with every ENISA input known and nothing lost: simple data about
// ordinary people, identifiable, not malicious, confidentiality kept. Each test case changes
// what it scores.
func enisaBase() Facts {
	return Facts{
		Jurisdictions: []Jurisdiction{JurisdictionUK},
		PersonalData:  PersonalDataYes,
		Subjects:      Subjects{Count: new(int64(10)), Kinds: []SubjectKind{KindCustomers}, Vulnerable: new(false)},
		Data:          Data{Categories: []Category{CategoryBasicIdentifiers}, VolumePerSubject: VolumeSingle},
		Cause:         Cause{Malicious: new(false)},
		// Stated: silence about confidentiality is not taken as "nothing disclosed".
		Confidentiality: Confidentiality{Lost: new(false)},
	}
}

func TestENISA(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *Facts)
		want   ENISA
	}{
		{"simple data, nothing lost", func(*Facts) {}, ENISA{DPC: 1, EI: 1, CB: 0, Score: 1, Band: BandLow}},
		{"EDPB 01/2021 case 01: ransomware, restored in hours", func(f *Facts) {
			f.Data.Categories = []Category{CategoryBasicIdentifiers, CategoryContact}
			f.Availability = Availability{Lost: new(true), RestoredWithinHours: new(4.0), ImpactOnSubjects: ImpactNone}
			f.Cause.Malicious = new(true)
		}, ENISA{DPC: 1, EI: 1, CB: 0.5, Score: 1.5, Band: BandLow}},
		{"financial data, five days unavailable, malicious", func(f *Facts) {
			f.Data.Categories = []Category{CategoryFinancial}
			f.Availability = Availability{Lost: new(true), RestoredWithinHours: new(120.0)}
			f.Cause.Malicious = new(true)
		}, ENISA{DPC: 3, EI: 1, CB: 0.75, Score: 3.75, Band: BandHigh}},
		{"health history of vulnerable people is capped at 4", func(f *Facts) {
			f.Data = Data{Categories: []Category{CategoryHealth}, VolumePerSubject: VolumeHistory}
			f.Subjects.Vulnerable = new(true)
			f.Availability = Availability{Lost: new(true), Permanent: new(true)}
		}, ENISA{DPC: 4, EI: 1, CB: 0.5, Score: 4.5, Band: BandVeryHigh}},
		{"behavioural data +1 for history", func(f *Facts) {
			f.Data = Data{Categories: []Category{CategoryLocation}, VolumePerSubject: VolumeHistory}
		}, ENISA{DPC: 3, EI: 1, Score: 3, Band: BandHigh}},
		{"simple data +1 for vulnerable people", func(f *Facts) {
			f.Subjects.Kinds = []SubjectKind{KindChildren}
		}, ENISA{DPC: 2, EI: 1, Score: 2, Band: BandMedium}},
		{"identity numbers", func(f *Facts) {
			f.Data.Categories = []Category{CategoryBasicIdentifiers, CategoryIdentificationNumbers}
		}, ENISA{DPC: 2, EI: 1, Score: 2, Band: BandMedium}},
		{"full card data", func(f *Facts) {
			f.Data.Categories = []Category{CategoryPaymentCard}
		}, ENISA{DPC: 4, EI: 1, Score: 4, Band: BandVeryHigh}},
		{"pseudonymised credentials exfiltrated by an attacker (case 06)", func(f *Facts) {
			f.Data.Categories = []Category{CategoryCredentials}
			f.Protection.Pseudonymised = new(true)
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureUnknownRecipients, Exfiltration: ExfiltrationConfirmed}
			f.Cause.Malicious = new(true)
		}, ENISA{DPC: 2, EI: 0.5, CB: 1, Score: 2, Band: BandMedium}},
		{"pseudonymised, but direct identifiers too", func(f *Facts) {
			f.Data.Categories = []Category{CategoryBehavioural, CategoryContact}
			f.Protection.Pseudonymised = new(true)
		}, ENISA{DPC: 2, EI: 0.75, Score: 1.5, Band: BandLow}},
		{"misdirected letter: known recipient", func(f *Facts) {
			f.Data.Categories = []Category{CategoryFinancial}
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureKnownRecipients, Recipients: new(int64(1)), Exfiltration: ExfiltrationConfirmed}
		}, ENISA{DPC: 3, EI: 1, CB: 0.25, Score: 3.25, Band: BandHigh}},
		{"trusted recipient who deleted the data", func(f *Facts) {
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureTrustedRecipient, Exfiltration: ExfiltrationConfirmed,
				RecipientConfirmedDeletion: new(true)}
		}, ENISA{DPC: 1, EI: 1, Score: 1, Band: BandLow}},
		{"trusted recipient, not bound, not deleted", func(f *Facts) {
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureTrustedRecipient, Exfiltration: ExfiltrationConfirmed}
		}, ENISA{DPC: 1, EI: 1, CB: 0.25, Score: 1.25, Band: BandLow}},
		{"no evidence of access scores 0", func(f *Facts) {
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureUnknownRecipients, Exfiltration: ExfiltrationUnlikely}
		}, ENISA{DPC: 1, EI: 1, Score: 1, Band: BandLow}},
		{"public exposure", func(f *Facts) {
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposurePublic, Exfiltration: ExfiltrationConfirmed}
		}, ENISA{DPC: 1, EI: 1, CB: 0.5, Score: 1.5, Band: BandLow}},
		{"altered data used, recoverable", func(f *Facts) {
			f.Integrity = Integrity{Lost: new(true), AlteredDataUsed: new(true), Recoverable: new(true)}
		}, ENISA{DPC: 1, EI: 1, CB: 0.25, Score: 1.25, Band: BandLow}},
		{"altered data used, not recoverable", func(f *Facts) {
			f.Integrity = Integrity{Lost: new(true), AlteredDataUsed: new(true), Recoverable: new(false)}
		}, ENISA{DPC: 1, EI: 1, CB: 0.5, Score: 1.5, Band: BandLow}},
		{"altered data not used", func(f *Facts) {
			f.Integrity = Integrity{Lost: new(true), AlteredDataUsed: new(false), Recoverable: new(false)}
		}, ENISA{DPC: 1, EI: 1, Score: 1, Band: BandLow}},
		{"everything lost, maliciously", func(f *Facts) {
			f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposurePublic, Exfiltration: ExfiltrationConfirmed}
			f.Integrity = Integrity{Lost: new(true), AlteredDataUsed: new(true), Recoverable: new(false)}
			f.Availability = Availability{Lost: new(true), Permanent: new(true)}
			f.Cause.Malicious = new(true)
		}, ENISA{DPC: 1, EI: 1, CB: 2, Score: 3, Band: BandHigh}},
		{"unknowns are scored at their worse", func(f *Facts) {
			f.Data = Data{}
			f.Cause = Cause{}
		}, ENISA{DPC: 4, EI: 1, CB: 0.5, Score: 4.5, Band: BandVeryHigh}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := enisaBase()
			tt.change(&f)
			if got := Assess(f).ENISA; got != tt.want {
				t.Errorf("ENISA = %+v, want %+v", got, tt.want)
			}
		})
	}
}
