// Package veris reads and writes VERIS (Vocabulary for Event Recording and Incident Sharing)
// incident records, schema 1.3.x, as the VERIS Community Database (VCDB) publishes them:
// it decodes them tolerantly (a JSON array, JSON Lines, a directory or a zip of those), maps
// each to the fields and taxonomies of a Vigil incident, and maps Vigil incidents back to
// schema-valid VERIS JSON. It does no I/O beyond reading the input files and knows nothing
// of the database; internal/service does the importing.
package veris
