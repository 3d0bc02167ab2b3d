// Package notice prepares what an organisation tells others about an incident: the
// notification plan (seed 001 annex three), the notification pack for a supervisory
// authority with its completeness check (GDPR Art. 33(3)–(4); seed 002), and letters to the
// people affected merged from an organisation's template and a list of recipients (GDPR
// Art. 34(2); seed 002).
//
// The package is pure: it reads no clock, no database and no network. The service layer
// gathers the incident, its breach assessment and the notifications already made into an
// Input, and stores what comes back.
package notice
