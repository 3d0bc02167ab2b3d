package breach

import (
	"errors"
	"testing"
)

// FuzzDecodeFacts feeds arbitrary bytes to the decoder. The seed corpus, in
// testdata/fuzz/FuzzDecodeFacts, holds the worked cases and near-misses of them; plain `go test`
// runs those seeds as a regular test, `go test -fuzz FuzzDecodeFacts` explores further.
func FuzzDecodeFacts(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := DecodeFacts(data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || err.Error() == "" {
				t.Fatalf("decode error %v (%T) is not a described *InputError", err, err)
			}
			return
		}
		d := Assess(facts)
		if !d.DocumentInternally {
			t.Fatal("every breach must be documented internally")
		}
		authority, subjects := false, false
		for _, o := range d.Obligations {
			authority = authority || o.NotifyAuthority
			subjects = subjects || o.NotifySubjects
			if o.NotifySubjects && !o.NotifyAuthority {
				t.Fatalf("obligation %+v tells the people but not the authority", o)
			}
		}
		if authority != d.NotifyAuthority || subjects != d.NotifySubjects {
			t.Fatalf("top-level flags %v/%v disagree with the obligations %+v", d.NotifyAuthority, d.NotifySubjects, d.Obligations)
		}
		if d.NotifySubjects && d.Risk != RiskHigh {
			t.Fatalf("people told at risk %s", d.Risk)
		}
		assertRoundTrip(t, facts)
	})
}
