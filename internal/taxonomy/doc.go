// Package taxonomy owns the vocabularies Vigil classifies incidents with, shipped as data
// files under data/ and embedded in the binary: triage classes (seed 001 §4.2, seed 003),
// CIA impacts (seed 004), the RSIT incident classes and types and the TLP 2.0 and PAP
// markings (MISP machinetag files, copied unchanged with their licence), the ICO's
// personal-data-breach incident types, the seed 004 everyday examples mapped onto them, and
// severity category schemes (UK NCSC, an example Jersey scheme, or an organisation's own file,
// loaded and validated by LoadScheme).
//
// It is pure: no storage, no HTTP, no clock. It validates and looks up; deciding what an
// incident is belongs to the handler, helped by internal/classify.
package taxonomy
