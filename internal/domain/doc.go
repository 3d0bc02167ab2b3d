// Package domain holds Vigil's plain types and the rules that need no storage:
// the incident record, its vocabularies, validation and status transitions.
// It must not import database, HTTP or logging packages.
package domain
