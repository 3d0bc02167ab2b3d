package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// BenchmarkLetterRun10000: a CSV of 10,000 recipients checked, merged, hashed and stored as
// a draft, then queued in the outbox one e-mail each (docs/PERFORMANCE.md).
func BenchmarkLetterRun10000(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("name,email\n")
	for i := range 10_000 {
		fmt.Fprintf(&csv, "Person %d,p%d@example.org\n", i, i)
	}
	content := notice.Content{WhatHappened: "w", WhatData: "d", Consequences: "c", WhatWeAreDoing: "m", WhatYouCanDo: "y"}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			svc, err := service.New(ctx, storetest.Open(b, engine), service.Options{})
			if err != nil {
				b.Fatal(err)
			}
			sys := svc.System()
			if err := svc.SetNoticeSettings(ctx, sys, notice.Organisation{Controller: "X", DPOName: "D", DPOContact: "d@example.org"}); err != nil {
				b.Fatal(err)
			}
			inc, err := svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "t"}, Nature: domain.Opt[string]{Set: true, Value: "n"}})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				v, err := svc.DraftLetters(ctx, sys, inc.Ref, service.LetterRequest{Method: service.MethodEmail, Recipients: strings.NewReader(csv.String()), Content: content})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.StartLetters(ctx, sys, inc.Ref, v.Run.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
