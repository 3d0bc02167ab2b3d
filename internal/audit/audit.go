// Package audit defines the record of events (seed 001 annex four) and its hash chain.
// Each entry holds the SHA-256 of its organisation's previous entry and of its own canonical
// content, so any edit, deletion or reordering behind Vigil's back breaks the chain.
// It computes and checks hashes only; storing entries is the store's job.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Genesis is the previous-hash of an organisation's first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one line of the record of events.
type Entry struct {
	OrgID      int64           `json:"-"`
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"-"`
	Actor      string          `json:"actor"`  // e-mail, "public reporter" or "system"
	Action     string          `json:"action"` // e.g. incident.created, incident.updated, incident.viewed
	IncidentID int64           `json:"-"`
	Ref        string          `json:"ref,omitempty"`
	Data       json.RawMessage `json:"data"` // canonical JSON: before/after of changed fields, etc.
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Canonical is the exact byte string hashed for an entry. It is built by hand, not by
// encoding/json of a struct, so that the hash never depends on a library's field ordering.
func (e *Entry) Canonical() []byte {
	b := make([]byte, 0, 128+len(e.Data))
	b = append(b, "v1\n"...)
	b = strconv.AppendInt(b, e.OrgID, 10)
	b = append(b, '\n')
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, '\n')
	b = strconv.AppendInt(b, e.At.UnixMicro(), 10)
	b = append(b, '\n')
	b = strconv.AppendInt(b, e.ActorID, 10)
	b = append(b, '\n')
	b = strconv.AppendQuote(b, e.Actor)
	b = append(b, '\n')
	b = strconv.AppendQuote(b, e.Action)
	b = append(b, '\n')
	b = strconv.AppendInt(b, e.IncidentID, 10)
	b = append(b, '\n')
	b = strconv.AppendQuote(b, e.Ref)
	b = append(b, '\n')
	b = append(b, e.Data...)
	return b
}

// ComputeHash returns the hash an entry must carry given its previous hash.
func (e *Entry) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// Seal links e after prev (the previous entry's hash and sequence) and fills Seq, PrevHash and Hash.
func (e *Entry) Seal(prevSeq int64, prevHash string) {
	e.Seq = prevSeq + 1
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash()
}

// Data marshals v as the canonical data of an entry. encoding/json sorts map keys, and struct
// fields keep their declared order, so the bytes are stable for the same value.
func Data(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only unmarshalable values (channels, funcs) fail: a programming error.
		panic(fmt.Sprintf("audit: cannot encode event data: %v", err))
	}
	return b
}

// BrokenError names the first entry where the chain does not hold.
type BrokenError struct {
	OrgID  int64
	Seq    int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("record of events broken at organisation %d entry %d: %s", e.OrgID, e.Seq, e.Reason)
}

// Verifier checks a stream of entries of one organisation, in sequence order.
type Verifier struct {
	OrgID    int64
	prevSeq  int64
	prevHash string
	Checked  int64
}

// NewVerifier starts checking an organisation's chain from its genesis.
func NewVerifier(orgID int64) *Verifier { return &Verifier{OrgID: orgID, prevHash: Genesis} }

// Next checks one entry; entries must come in ascending Seq.
func (v *Verifier) Next(e *Entry) error {
	switch {
	case e.Seq != v.prevSeq+1:
		return &BrokenError{v.OrgID, v.prevSeq + 1, fmt.Sprintf("entry missing (next entry found is %d)", e.Seq)}
	case e.PrevHash != v.prevHash:
		return &BrokenError{v.OrgID, e.Seq, "previous-hash does not match the entry before it"}
	case e.ComputeHash() != e.Hash:
		return &BrokenError{v.OrgID, e.Seq, "content does not match its hash (edited after it was written)"}
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	v.Checked++
	return nil
}

// Finish checks that the chain ends where the organisation's recorded head says it does,
// which catches deletion of the newest entries.
func (v *Verifier) Finish(headSeq int64, headHash string) error {
	if headSeq != v.prevSeq || headHash != v.prevHash {
		return &BrokenError{v.OrgID, v.prevSeq + 1, fmt.Sprintf("chain ends at entry %d but the head records entry %d", v.prevSeq, headSeq)}
	}
	return nil
}
