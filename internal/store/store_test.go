package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/audit"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

func appendEvents(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := st.Write(context.Background(), func(tx *store.Tx) error {
			return tx.Append(&audit.Entry{OrgID: 1, At: time.Now(), Actor: "system", Action: "test.event", Data: audit.Data(map[string]int{"i": i})})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		applied, err := st.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestRecordOfEventsIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		appendEvents(t, st, 3)
		db := store.RawDB(st)
		for _, q := range []string{"UPDATE audit_events SET actor = 'mallory' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 3"} {
			if _, err := db.Exec(q); err == nil {
				t.Errorf("%s: the database accepted it", q)
			}
		}
		if n, err := st.VerifyChain(context.Background()); err != nil || n != 3 {
			t.Fatalf("verify after refused edits: n=%d err=%v", n, err)
		}
	})
}

func TestVerifyCatchesEditsBehindVigilsBack(t *testing.T) {
	tamper := map[string][]string{
		"sqlite": {"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET data = '{\"i\":42}' WHERE seq = 2"},
		"postgres": {"DROP TRIGGER audit_events_no_update ON audit_events",
			"UPDATE audit_events SET data = '{\"i\":42}' WHERE seq = 2"},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		appendEvents(t, st, 4)
		db := store.RawDB(st)
		for _, q := range tamper[string(st.Dialect())] {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		_, err := st.VerifyChain(context.Background())
		var be *audit.BrokenError
		if !errors.As(err, &be) || be.Seq != 2 {
			t.Fatalf("verify = %v, want broken at entry 2", err)
		}
	})
}

func TestGroupCommitKeepsChainAndRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const n = 200
		var wg sync.WaitGroup
		refs := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = st.Write(context.Background(), func(tx *store.Tx) error {
					if i%37 == 0 {
						// A failing writer must not take its batch-mates down with it.
						return fmt.Errorf("writer %d refuses", i)
					}
					ref, err := tx.NextRef(1, 2026)
					if err != nil {
						return err
					}
					refs[i] = ref
					return tx.Append(&audit.Entry{OrgID: 1, At: time.Now(), Actor: "t", Action: "ref.allocated", Ref: ref})
				})
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		ok := 0
		for i, err := range errs {
			if i%37 == 0 {
				if err == nil {
					t.Errorf("writer %d: want its own error", i)
				}
				continue
			}
			if err != nil {
				t.Fatalf("writer %d: %v", i, err)
			}
			if seen[refs[i]] {
				t.Fatalf("reference %s allocated twice", refs[i])
			}
			seen[refs[i]] = true
			ok++
		}
		count, err := st.VerifyChain(context.Background())
		if err != nil || count != int64(ok) {
			t.Fatalf("chain: %d entries, err %v; want %d", count, err, ok)
		}
	})
}

func TestBackupRestoresAndVerifies(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	appendEvents(t, st, 5)
	file := filepath.Join(t.TempDir(), "copy.db")
	if err := st.Backup(context.Background(), file); err != nil {
		t.Fatal(err)
	}
	if err := st.Backup(context.Background(), file); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	dir := t.TempDir()
	if err := store.CopyFile(file, filepath.Join(dir, store.SQLiteFile)); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if n, err := restored.VerifyChain(context.Background()); err != nil || n != 5 {
		t.Fatalf("restored copy: %d entries, %v", n, err)
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, _, err := st.DefaultOrg(ctx, "Test")
		if err != nil {
			t.Fatal(err)
		}
		now := domain.Instant(time.Now())
		occ := now.Add(-time.Hour)
		in := &domain.Incident{OrgID: org.ID, Title: "Laptop stolen", Nature: "Taken from a car", Systems: "LT-1", Channel: domain.ChannelAPI,
			OccurredAt: &occ, ReportedAt: now, Tags: []string{"theft", "laptop"}, Version: 1, CreatedAt: now, UpdatedAt: now, PersonalData: domain.Yes}
		in.Normalize()
		err = st.Write(ctx, func(tx *store.Tx) error {
			if in.Ref, err = tx.NextRef(org.ID, 2026); err != nil {
				return err
			}
			return tx.InsertIncident(in, "")
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.IncidentByRef(ctx, org.ID, in.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d := domain.Diff(in, got); len(d) != 0 {
			t.Fatalf("round trip changed %+v", d)
		}
		if _, err := st.IncidentByRef(ctx, org.ID, "INC-1999-00001"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing incident: %v", err)
		}
		err = st.Write(ctx, func(tx *store.Tx) error { return tx.UpdateIncident(got, 7) })
		if !errors.Is(err, store.ErrVersion) {
			t.Fatalf("stale update: %v", err)
		}
	})
}
