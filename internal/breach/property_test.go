package breach

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// factsRand generates random valid facts from a fixed seed, so failures reproduce. Every field
// is sometimes absent, to exercise the cautious handling of unknowns.
type factsRand struct{ r *rand.Rand }

func newFactsRand(seed uint64) *factsRand { return &factsRand{rand.New(rand.NewPCG(seed, 0x5eed))} }

func (g *factsRand) boolPtr() *bool {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return new(true)
	default:
		return new(false)
	}
}

func (g *factsRand) count() *int64 {
	if g.r.IntN(4) == 0 {
		return nil
	}
	return new([]int64{0, 1, 2, 15, 60, 150, 3000, 9999, 10_000, 100_000}[g.r.IntN(10)])
}

// enum picks one of values, or "" (absent) one time in four.
func enum[T ~string](g *factsRand, values []T) T {
	if g.r.IntN(4) == 0 {
		return ""
	}
	return values[g.r.IntN(len(values))]
}

// subset picks distinct values in random order; it may be empty.
func subset[T any](g *factsRand, values []T) []T {
	var out []T
	for _, i := range g.r.Perm(len(values))[:g.r.IntN(len(values)+1)] {
		out = append(out, values[i])
	}
	return out
}

var (
	allCategories = func() []Category {
		var cs []Category
		for c := range categoryScores {
			cs = append(cs, c)
		}
		slices.Sort(cs)
		return cs
	}()
	specialCategories = []Category{CategoryHealth, CategoryGenetic, CategoryBiometric, CategoryRacialEthnic,
		CategoryPolitical, CategoryReligious, CategoryTradeUnion, CategorySexLifeOrientation, CategoryCriminal}
	someCountries = []Country{"FR", "DE", "IE", "NL", "ES"}
)

// categories picks up to three distinct categories: real breaches involve a few, and a long
// list would almost always contain special category data.
func (g *factsRand) categories() []Category {
	var out []Category
	for _, i := range g.r.Perm(len(allCategories))[:g.r.IntN(4)] {
		out = append(out, allCategories[i])
	}
	return out
}

func (g *factsRand) facts() Facts {
	f := Facts{
		Jurisdictions:  subset(g, jurisdictions),
		EUMemberStates: subset(g, someCountries),
		Role:           enum(g, roles),
		PersonalData:   enum(g, personalDatas),
		Subjects: Subjects{Count: g.count(), CountIsEstimate: g.boolPtr(), Kinds: subset(g, subjectKinds),
			Vulnerable: g.boolPtr()},
		Data: Data{Categories: g.categories(), Records: g.count(),
			VolumePerSubject: enum(g, volumes)},
		Confidentiality: Confidentiality{Lost: g.boolPtr(), Exposure: enum(g, exposures), Recipients: g.count(),
			Exfiltration: enum(g, exfiltrations), RecipientBoundByConfidentiality: g.boolPtr(),
			RecipientConfirmedDeletion: g.boolPtr(), DataRecovered: g.boolPtr()},
		Integrity: Integrity{Lost: g.boolPtr(), AlteredDataUsed: g.boolPtr(), Recoverable: g.boolPtr()},
		Availability: Availability{Lost: g.boolPtr(), Permanent: g.boolPtr(),
			ImpactOnSubjects: enum(g, impacts)},
		Protection: Protection{Encryption: enum(g, encryptions), KeyCompromised: g.boolPtr(),
			PasswordHashing: enum(g, hashings), Pseudonymised: g.boolPtr(), RemoteWipe: g.boolPtr()},
		Cause:          Cause{Malicious: g.boolPtr(), Actor: enum(g, actors)},
		MisuseObserved: g.boolPtr(),
		Ongoing:        g.boolPtr(),
	}
	if len(f.Jurisdictions) == 0 {
		f.Jurisdictions = []Jurisdiction{JurisdictionUK}
	}
	if g.r.IntN(3) == 0 {
		f.EUMainEstablishment = someCountries[g.r.IntN(len(someCountries))]
	}
	if g.r.IntN(4) > 0 {
		f.Availability.RestoredWithinHours = new([]float64{0.5, 4, 24, 48, 120}[g.r.IntN(5)])
	}
	if g.r.IntN(4) > 0 {
		occurred := time.Date(2026, 11, 18, 22, 0, 0, 0, time.UTC)
		aware := occurred.Add(time.Duration(g.r.IntN(100)) * time.Hour)
		f.OccurredAt, f.AwareAt = &occurred, &aware
	}
	return f
}

// clone copies the parts of f that the properties change.
func clone(f Facts) Facts {
	f.Data.Categories = slices.Clone(f.Data.Categories)
	return f
}

const propertyRuns = 20_000

// checkMonotone asserts that change never lowers (up=true) or never raises (up=false) the
// overall risk, over many random facts (first passed through prepare, if any).
func checkMonotone(t *testing.T, seed uint64, up bool, prepare func(f *Facts), change func(g *factsRand, f *Facts)) {
	t.Helper()
	rank := map[RiskLevel]int{RiskUnlikely: 0, RiskRisk: 1, RiskHigh: 2}
	g := newFactsRand(seed)
	for range propertyRuns {
		before := g.facts()
		if prepare != nil {
			prepare(&before)
		}
		after := clone(before)
		change(g, &after)
		rb, ra := Assess(before).Risk, Assess(after).Risk
		if (up && rank[ra] < rank[rb]) || (!up && rank[ra] > rank[rb]) {
			t.Fatalf("risk went from %s to %s\nbefore: %s\nafter:  %s", rb, ra, mustJSON(t, before), mustJSON(t, after))
		}
	}
}

func TestPropertySpecialCategoryNeverLowersRisk(t *testing.T) {
	checkMonotone(t, 1, true, nil, func(g *factsRand, f *Facts) {
		if c := specialCategories[g.r.IntN(len(specialCategories))]; !slices.Contains(f.Data.Categories, c) {
			f.Data.Categories = append(f.Data.Categories, c)
		}
	})
}

func TestPropertyMorePeopleNeverLowersRisk(t *testing.T) {
	g := newFactsRand(2)
	rank := map[RiskLevel]int{RiskUnlikely: 0, RiskRisk: 1, RiskHigh: 2}
	for range propertyRuns {
		f := g.facts()
		n := g.r.Int64N(200_000)
		f.Subjects.Count = &n
		more := clone(f)
		m := n + 1 + g.r.Int64N(200_000)
		more.Subjects.Count = &m
		if rb, ra := Assess(f).Risk, Assess(more).Risk; rank[ra] < rank[rb] {
			t.Fatalf("risk went from %s to %s when people went from %d to %d\n%s", rb, ra, n, m, mustJSON(t, f))
		}
	}
}

func TestPropertyVulnerablePeopleNeverLowerRisk(t *testing.T) {
	checkMonotone(t, 3, true, nil, func(_ *factsRand, f *Facts) { f.Subjects.Vulnerable = new(true) })
}

func TestPropertyPublicExposureNeverLowersRisk(t *testing.T) {
	checkMonotone(t, 4, true, nil, func(_ *factsRand, f *Facts) { f.Confidentiality.Exposure = ExposurePublic })
}

func TestPropertyObservedMisuseNeverLowersRisk(t *testing.T) {
	checkMonotone(t, 5, true, nil, func(_ *factsRand, f *Facts) { f.MisuseObserved = new(true) })
}

func TestPropertyStrongEncryptionNeverRaisesRisk(t *testing.T) {
	checkMonotone(t, 6, false, nil, func(_ *factsRand, f *Facts) {
		f.Protection.Encryption = EncryptionStateOfTheArt
		f.Protection.KeyCompromised = new(false)
	})
}

// Among breaches that disclosed data, handing it to a trusted recipient who confirmed
// deletion instead of whoever got it never makes the risk worse.
func TestPropertyTrustedRecipientWhoDeletedNeverRaisesRisk(t *testing.T) {
	disclosed := func(f *Facts) { f.Confidentiality.Lost = new(true) }
	checkMonotone(t, 8, false, disclosed, func(_ *factsRand, f *Facts) {
		f.Confidentiality.Exposure = ExposureTrustedRecipient
		f.Confidentiality.RecipientConfirmedDeletion = new(true)
	})
}
