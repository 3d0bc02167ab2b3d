package web_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
)

// Exercises run the same clocks as real incidents, and the deadlines page says which are
// exercises, so nobody notifies a regulator about a rehearsal.
func TestDashboardLabelsExercises(t *testing.T) {
	e := newEnv(t, "sqlite")
	aware := time.Now().Add(-time.Hour)
	mk := func(title string, exercise bool) string {
		inc, err := e.svc.CreateIncident(t.Context(), e.svc.System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: title},
			Nature: domain.Opt[string]{Set: true, Value: "laptop lost"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
			AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}, Exercise: domain.Opt[bool]{Set: true, Value: exercise}})
		if err != nil {
			t.Fatal(err)
		}
		return inc.Ref
	}
	drill, real := mk("Drill", true), mk("Real", false)
	r := e.get(e.signedIn("handler@example.org"), "/dashboard")
	if r.code != http.StatusOK {
		t.Fatalf("dashboard: %d", r.code)
	}
	tagged := func(ref string) bool {
		return regexp.MustCompile(regexp.QuoteMeta(ref) + `</a> <strong class="tag tag--grey">exercise</strong>`).MatchString(r.body)
	}
	if !tagged(drill) || tagged(real) {
		t.Fatalf("exercise tag on %s = %v (want true), on %s = %v (want false)", drill, tagged(drill), real, tagged(real))
	}
}
