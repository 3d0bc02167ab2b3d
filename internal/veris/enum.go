package veris

import (
	_ "embed"
	"encoding/json"
	"slices"
)

// verisc-enum.json is the VERIS Community Schema's enumerations (© VERIS Community,
// CC BY-SA 4.0, https://github.com/vz-risk/veris; data/README.md). The mapping checks values
// against it and notes those it does not know.
//
//go:embed data/verisc-enum.json
var enumJSON []byte

var enums = func() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(enumJSON, &m); err != nil {
		panic("veris: embedded enumerations: " + err.Error())
	}
	return m
}()

// known reports whether v is one of the enumerated values at path (e.g. "action", "hacking",
// "variety"). A path the enumerations do not cover accepts everything.
func known(v string, path ...string) bool {
	var node any = enums
	for _, p := range path {
		m, ok := node.(map[string]any)
		if !ok {
			return true
		}
		if node, ok = m[p]; !ok {
			return false
		}
	}
	list, ok := node.([]any)
	if !ok {
		// A category (an object) is known when the path named it.
		_, isObj := node.(map[string]any)
		return isObj && v == ""
	}
	return slices.Contains(list, any(v))
}
