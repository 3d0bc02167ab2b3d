package service_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// An organisation loads its own severity scheme from a file, without code changes; an
// invalid file stops the start with its file, line and field, never half-loading.
func TestOrganisationSchemes(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	src, err := os.ReadFile("../taxonomy/data/schemes/je-example.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	own := strings.Replace(string(src), `"scheme": "je-example"`, `"scheme": "acme"`, 1)
	if own == string(src) {
		t.Fatal("test fixture: scheme id not found in je-example.json")
	}
	if err := os.WriteFile(filepath.Join(dir, "acme.json"), []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(ctx, st, service.Options{SchemeDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.SeveritySchemes(svc.System())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != "acme,je-example,ncsc-uk" {
		t.Fatalf("schemes %v", ids)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{\n  \"scheme\": \"b\",\n  \"nmae\": \"typo\"\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = service.New(ctx, st, service.Options{SchemeDir: dir})
	if err == nil || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), ":3") {
		t.Fatalf("invalid scheme file: %v", err)
	}
}
