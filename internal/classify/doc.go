// Package classify suggests how to classify a report from its free text: the RSIT class and
// type, the ICO personal-data-breach type and whether personal data is likely involved, each
// with the words that triggered it, and it finds personal data (e-mail addresses, UK phone
// numbers, National Insurance and NHS numbers, payment card numbers, IBANs, UK postcodes) by
// kind and byte offset.
//
// It is pure, deterministic and fast enough to run on every report as it arrives. It only
// suggests: a handler confirms. It never returns or logs the personal data it finds, only
// where it is, so that a suggestion can be stored and shown without spreading the data.
package classify
