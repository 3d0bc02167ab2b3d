package taxonomy

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed data
var dataFS embed.FS

// mustDecode decodes an embedded data file; strict refuses unknown fields, for Vigil's own
// files (the MISP files carry fields such as uuid and colour that Vigil does not use). The
// files ship with the binary and are checked by the package tests, so a failure here is a
// build defect: panic at start-up rather than run with a vocabulary missing.
func mustDecode(path string, v any, strict bool) {
	raw, err := dataFS.ReadFile(path)
	if err != nil {
		panic(fmt.Sprintf("taxonomy: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("taxonomy: %s: %v", path, err))
	}
}
