package intake_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// BenchmarkReceiveMail takes the SpamAssassin sample in through the service, each message
// with a fresh Message-ID so every one becomes a report (with its files, observables and
// acknowledgement), on each engine, one message at a time.
func BenchmarkReceiveMail(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "mailparse", "testdata", "spamassassin", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatal("no corpus", err)
	}
	var msgs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			svc := newIMAPService(b, storetest.Open(b, engine))
			ctx := context.Background()
			n := 0
			for b.Loop() {
				raw := append([]byte(fmt.Sprintf("Message-ID: <bench-%d@example.net>\r\n", n)), msgs[n%len(msgs)]...)
				if _, err := svc.ReceiveMail(ctx, service.InboundMail{Raw: raw, Kind: service.IntakePhishing, Recipient: "phishing@example.org"}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
