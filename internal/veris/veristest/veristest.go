// Package veristest gives tests the VERIS schema from the shared datasets.
package veristest

import (
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaPath is the VERIS schema (© VERIS Community, CC BY-SA 4.0) in the shared datasets,
// relative to a package directory under internal/.
const SchemaPath = "../../../shared/datasets/veris/verisc.json"

// Schema compiles the VERIS schema, or skips the test when the shared datasets are absent.
func Schema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(SchemaPath)
	if err != nil {
		t.Skipf("VERIS schema not available (%v): the shared datasets must sit beside the checkout", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("verisc.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("verisc.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}
