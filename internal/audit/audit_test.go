package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []*Entry {
	var out []*Entry
	prevSeq, prevHash := int64(0), Genesis
	for i := 0; i < n; i++ {
		e := &Entry{OrgID: 1, At: time.Unix(1700000000+int64(i), 0).UTC(), ActorID: 2, Actor: "a@example.org",
			Action: "incident.created", IncidentID: int64(i + 1), Ref: "INC-2026-00001", Data: Data(map[string]any{"i": i})}
		e.Seal(prevSeq, prevHash)
		prevSeq, prevHash = e.Seq, e.Hash
		out = append(out, e)
	}
	return out
}

func verify(entries []*Entry, headSeq int64, headHash string) error {
	v := NewVerifier(1)
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return v.Finish(headSeq, headHash)
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(es []*Entry) []*Entry
		brokeAt int64
	}{
		{"intact", func(es []*Entry) []*Entry { return es }, 0},
		{"edited data", func(es []*Entry) []*Entry { es[2].Data = []byte(`{"i":99}`); return es }, 3},
		{"edited actor", func(es []*Entry) []*Entry { es[0].Actor = "mallory"; return es }, 1},
		{"deleted middle", func(es []*Entry) []*Entry { return append(es[:1], es[2:]...) }, 2},
		{"deleted tail", func(es []*Entry) []*Entry { return es[:4] }, 5},
		{"rehashed edit", func(es []*Entry) []*Entry {
			es[1].Action = "incident.viewed"
			es[1].Hash = es[1].ComputeHash()
			return es
		}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := chain(5)
			headSeq, headHash := es[4].Seq, es[4].Hash
			err := verify(tc.tamper(es), headSeq, headHash)
			if tc.brokeAt == 0 {
				if err != nil {
					t.Fatalf("intact chain: %v", err)
				}
				return
			}
			var be *BrokenError
			if !errors.As(err, &be) {
				t.Fatalf("want BrokenError, got %v", err)
			}
			if be.Seq != tc.brokeAt {
				t.Fatalf("broken at %d, want %d (%v)", be.Seq, tc.brokeAt, err)
			}
		})
	}
}

func TestCanonicalDistinguishesFields(t *testing.T) {
	a := &Entry{OrgID: 1, Actor: "ab", Action: "c"}
	b := &Entry{OrgID: 1, Actor: "a", Action: "bc"}
	if string(a.Canonical()) == string(b.Canonical()) {
		t.Fatal("field boundaries must be unambiguous")
	}
}
