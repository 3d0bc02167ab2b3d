package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
)

// seedPhishing takes the testdata phishing report in through the service, as the SMTP
// receiver would, into the data directory dir.
func seedPhishing(t *testing.T, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "mailparse", "testdata", "messages", "phish-attached.eml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DataDir: dir, LogLevel: "warn"}
	err = withService(context.Background(), &cfg, func(svc *service.Service) error {
		_, err := svc.ReceiveMail(context.Background(), service.InboundMail{Raw: raw, Kind: service.IntakePhishing, Recipient: "phishing@example.org"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExportObservables(t *testing.T) {
	dir := t.TempDir()
	seedPhishing(t, dir)

	out, err := runCmd(newExportObservablesCmd(), "", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if strings.Join(rows[0], ",") != "incident,type,value,tlp,first_seen,last_seen,count" || len(rows) < 10 {
		t.Fatalf("csv:\n%s", out)
	}
	found := false
	for _, r := range rows[1:] {
		found = found || (r[0] == "INC-2026-00001" && r[1] == "url" && r[2] == "https://login.evil.test/reset?u=alice" && r[3] == "amber")
	}
	if !found {
		t.Errorf("the phishing URL is not in the export:\n%s", out)
	}

	// STIX to a file.
	file := filepath.Join(t.TempDir(), "obs.json")
	if _, err := runCmd(newExportObservablesCmd(), "", "--data", dir, "--format", "stix", "-o", file); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil || bundle.Type != "bundle" || len(bundle.Objects) < 10 {
		t.Fatalf("bundle: %v\n%s", err, b)
	}

	// An audience cleared for GREEN gets nothing of an AMBER incident, and is told so.
	cmd := newExportObservablesCmd()
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetArgs([]string{"--data", dir, "--tlp", "green"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "observables marked above TLP:green were left out") {
		t.Errorf("stderr = %q", stderr.String())
	}

	for _, bad := range [][]string{{"--format", "xml"}, {"--tlp", "purple"}} {
		if _, err := runCmd(newExportObservablesCmd(), "", append([]string{"--data", dir}, bad...)...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
