package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/store"
)

// Intake kinds: what an intake address is for.
const (
	IntakeIncident = "incident"
	IntakePhishing = "phishing"
)

// Intake outcomes.
const (
	OutcomeCreated     = "created"     // a new report
	OutcomeAppended    = "appended"    // a reply, added to the incident it names
	OutcomeGrouped     = "grouped"     // another report of a known phishing campaign
	OutcomeDuplicate   = "duplicate"   // seen before (same Message-ID): nothing new recorded
	OutcomeQuarantined = "quarantined" // refused, kept in the quarantine list
)

// Quarantine reasons besides mailparse's.
const (
	ReasonLoop       = "mail-loop"
	ReasonSenderRate = "sender-rate"
)

// Per-sender rates over the last hour: above AckRate a sender gets no more
// acknowledgements (two auto-responders answering each other stop there), above
// QuarantineRate their messages are quarantined rather than each opening a report.
const (
	AckRate        = 5
	QuarantineRate = 60
)

// IntakeLimits are mailparse's limits for intake; a message must fit in one attachment,
// since the raw message is itself kept as evidence.
var IntakeLimits = mailparse.Limits{MaxSize: MaxAttachment}

// InboundMail is one message handed to intake by the SMTP receiver or the IMAP poller.
type InboundMail struct {
	Raw       []byte
	Kind      string // IntakeIncident or IntakePhishing
	Recipient string // the intake address it was sent to
	// Bounce is true when the SMTP envelope sender was empty (MAIL FROM:<>), which only
	// delivery status notifications use (RFC 5321 §4.5.5).
	Bounce bool
	Limits mailparse.Limits
}

// IntakeResult is what became of a message.
type IntakeResult struct {
	Outcome string
	Ref     string // the incident it created or joined; "" when quarantined
	Reason  string // the quarantine reason
}

// AckEvent marks an acknowledgement in the outbox, next to escalations.
const AckEvent = "intake.acknowledgement"

// Acknowledgement is the outbox payload of an acknowledgement e-mail.
type Acknowledgement struct {
	Event     string `json:"event"` // AckEvent
	Ref       string `json:"ref"`
	Subject   string `json:"subject"` // the subject of the message acknowledged
	InReplyTo string `json:"in_reply_to,omitempty"`
	Outcome   string `json:"outcome"`
	Kind      string `json:"kind"` // IntakeIncident or IntakePhishing
}

var refInSubject = regexp.MustCompile(`\[(INC-\d{4}-\d{5,})\]`)

// intakePrincipal acts for the e-mail channel: the system, as the mail is nobody's session.
func (s *Service) intakePrincipal() auth.Principal { return s.System() }

// ReceiveMail turns one e-mail into a report, a reply on an incident, another report of a
// phishing campaign, or a quarantine entry. It returns only once the outcome is committed:
// the SMTP receiver answers 250 and the IMAP poller moves the message only after that. An
// error means nothing was recorded and the message should be offered again.
func (s *Service) ReceiveMail(ctx context.Context, in InboundMail) (*IntakeResult, error) {
	if in.Kind != IntakeIncident && in.Kind != IntakePhishing {
		return nil, fmt.Errorf("unknown intake kind %q", in.Kind)
	}
	if s.blobs == nil {
		return nil, errors.New("e-mail intake needs a blob store for evidence")
	}
	now := s.now()
	m, err := mailparse.Parse(in.Raw, in.Limits)
	if err != nil {
		var rej *mailparse.RejectError
		if !errors.As(err, &rej) {
			return nil, err
		}
		return s.quarantine(ctx, in, int64(len(in.Raw)), "", rej.Reason, rej.Detail, now)
	}
	sender := strings.ToLower(m.From.Addr)
	key := "mid:" + m.MessageID
	if m.MessageID == "" {
		sum := sha256.Sum256(in.Raw)
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	if prev, ref, err := s.store.IntakeByKey(ctx, s.orgID, key); err == nil {
		return &IntakeResult{Outcome: OutcomeDuplicate, Ref: ref, Reason: prev.Outcome}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	// Vigil's own mail, bounces and delivery reports coming back are a loop in the making:
	// kept for a person to look at, never turned into reports.
	if in.Bounce && m.Auto == "" {
		m.Auto = mailparse.AutoBounce + " (empty envelope sender)"
	}
	if mailparse.Loops(m.Auto) {
		return s.quarantine(ctx, in, int64(len(in.Raw)), sender, ReasonLoop, m.Auto, now)
	}
	recent, err := s.store.IntakeCount(ctx, s.orgID, sender, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	if recent >= QuarantineRate {
		return s.quarantine(ctx, in, int64(len(in.Raw)), sender, ReasonSenderRate, fmt.Sprintf("%d messages from %s in the last hour", recent, sender), now)
	}
	job := &intakeJob{in: in, m: m, key: key, sender: sender, now: now,
		ack: m.Auto == "" && recent < AckRate && sender != "" && !strings.EqualFold(sender, in.Recipient)}
	if job.files, err = s.intakeFiles(in.Raw, m); err != nil {
		return nil, err
	}
	res, err := s.intake(ctx, job)
	if errors.Is(err, errSeen) {
		// Another node or connection took the same message in meanwhile.
		_, ref, _ := s.store.IntakeByKey(ctx, s.orgID, key)
		return &IntakeResult{Outcome: OutcomeDuplicate, Ref: ref}, nil
	}
	return res, err
}

var errSeen = errors.New("message already taken in")

type intakeJob struct {
	in     InboundMail
	m      *mailparse.Message
	key    string
	sender string
	now    time.Time
	ack    bool
	files  []*Attachment
}

// intakeFiles stores the raw message and its attachments in the blob store (content
// addressed, so storing again after a failed transaction costs nothing).
func (s *Service) intakeFiles(raw []byte, m *mailparse.Message) ([]*Attachment, error) {
	p := s.intakePrincipal()
	eml, err := s.storeFile(p, "message.eml", "message/rfc822", bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("keeping the message as evidence: %w", err)
	}
	out := []*Attachment{eml}
	for _, a := range m.Attachments {
		f, err := s.storeFile(p, a.Name, a.ContentType, bytes.NewReader(a.Content))
		var v *domain.ValidationError
		if errors.As(err, &v) {
			continue // a file the attachment rules refuse (a bad name) is still inside message.eml
		}
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *Service) intake(ctx context.Context, j *intakeJob) (*IntakeResult, error) {
	if ref := refInSubject.FindStringSubmatch(j.m.Subject); ref != nil {
		inc, ok, err := s.replyTarget(ctx, ref[1], j.sender)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.appendReply(ctx, j, inc)
		}
	}
	obs := observablesOf(j)
	if j.in.Kind == IntakePhishing {
		res, err := s.joinCampaign(ctx, j, obs)
		if res != nil || err != nil {
			return res, err
		}
	}
	return s.openReport(ctx, j, obs)
}

// replyTarget decides whether a message naming ref may be added to it: only when it comes
// from the incident's reporter or from a user who can see the incident. Anyone else gets a
// new report, and whether ref exists is not revealed.
func (s *Service) replyTarget(ctx context.Context, ref, sender string) (*domain.Incident, bool, error) {
	inc, err := s.store.IncidentByRef(ctx, s.orgID, ref)
	if errors.Is(err, store.ErrNotFound) || sender == "" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if strings.EqualFold(inc.Reporter.Contact, sender) {
		return inc, true, nil
	}
	u, err := s.store.UserByEmail(ctx, sender)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	p, err := principalOf(u)
	if err != nil || u.Disabled {
		return nil, false, nil
	}
	sub, err := s.subject(ctx, p, inc)
	if err != nil {
		return nil, false, err
	}
	return inc, auth.Can(p, auth.ReadIncident, sub), nil
}

func (s *Service) appendReply(ctx context.Context, j *intakeJob, inc *domain.Incident) (*IntakeResult, error) {
	p := s.intakePrincipal()
	body := j.m.Text
	if strings.TrimSpace(body) == "" {
		body = "(no text; see the attached message)"
	}
	body = cutRunes("E-mail from "+j.m.From.String()+": "+j.m.Subject+"\n\n"+body, domain.MaxLongText)
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		if err := s.recordIntake(tx, j, OutcomeAppended, inc.ID); err != nil {
			return err
		}
		n := &store.Note{IncidentID: inc.ID, Kind: store.NoteFromReporter, Author: cutRunes(j.m.From.String(), domain.MaxName), Body: body, CreatedAt: domain.Instant(j.now)}
		if err := tx.InsertNote(n); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "note.added", inc, map[string]string{"kind": store.NoteFromReporter, "body": body, "via": "email"})); err != nil {
			return err
		}
		if err := s.attachFiles(tx, p, inc, j); err != nil {
			return err
		}
		return s.queueAck(tx, j, inc.Ref, OutcomeAppended)
	})
	if err != nil {
		return nil, err
	}
	return &IntakeResult{Outcome: OutcomeAppended, Ref: inc.Ref}, nil
}

// recordIntake claims the message key, queues the acknowledgement, and fails with errSeen
// when the key is taken, which rolls the whole outcome back.
func (s *Service) recordIntake(tx *store.Tx, j *intakeJob, outcome string, incidentID int64) error {
	ok, err := tx.RecordIntake(&store.IntakeMessage{OrgID: s.orgID, Key: j.key, Sender: j.sender, Kind: j.in.Kind, Outcome: outcome, IncidentID: incidentID, ReceivedAt: j.now})
	if err != nil {
		return err
	}
	if !ok {
		return errSeen
	}
	return nil
}

func (s *Service) queueAck(tx *store.Tx, j *intakeJob, ref, outcome string) error {
	if !j.ack {
		return nil
	}
	payload, _ := json.Marshal(Acknowledgement{Event: AckEvent, Ref: ref, Subject: j.m.Subject, InReplyTo: j.m.MessageID, Outcome: outcome, Kind: j.in.Kind})
	_, err := tx.Enqueue(&store.OutboxItem{OrgID: s.orgID, DedupeKey: "ack/" + j.key, Kind: KindEmail, Target: j.sender,
		Payload: string(payload), NextAttemptAt: j.now, CreatedAt: j.now})
	return err
}

// attachFiles records the stored files on inc.
func (s *Service) attachFiles(tx *store.Tx, p auth.Principal, inc *domain.Incident, j *intakeJob) error {
	for _, f := range j.files {
		a := *f
		a.IncidentID = inc.ID
		if err := tx.InsertAttachment(&a, ""); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "attachment.added", inc, map[string]any{"name": a.Name, "sha256": a.SHA256, "size": a.Size, "via": "email"})); err != nil {
			return err
		}
	}
	return nil
}

// openReport records the message as a new report.
func (s *Service) openReport(ctx context.Context, j *intakeJob, obs []*store.Observable) (*IntakeResult, error) {
	p := s.intakePrincipal()
	m := j.m
	inc := &domain.Incident{OrgID: s.orgID, Channel: domain.ChannelEmail,
		Reporter: domain.Reporter{Name: cutRunes(m.From.Name, domain.MaxName), Contact: cutRunes(j.sender, domain.MaxContact), Relationship: domain.RelPublic}}
	if u, err := s.store.UserByEmail(ctx, j.sender); err == nil && !u.Disabled {
		inc.ReporterUserID, inc.Reporter.Relationship = u.ID, domain.RelStaff
	}
	title, nature := describe(j)
	in := domain.Patch{Title: domain.Opt[string]{Set: true, Value: title}, Nature: domain.Opt[string]{Set: true, Value: nature}}
	out, err := s.create(ctx, p, inc, in, "", func(tx *store.Tx, inc *domain.Incident) error {
		if err := s.recordIntake(tx, j, OutcomeCreated, inc.ID); err != nil {
			return err
		}
		if err := s.addObservables(tx, p, inc, obs); err != nil {
			return err
		}
		if err := s.attachFiles(tx, p, inc, j); err != nil {
			return err
		}
		return s.queueAck(tx, j, inc.Ref, OutcomeCreated)
	})
	if err != nil {
		return nil, err
	}
	return &IntakeResult{Outcome: OutcomeCreated, Ref: out.Ref}, nil
}

// describe words a report's title and description from the message. For phishing the word
// "phishing" leads, which is also what steers the stored classification suggestion to RSIT
// fraud / phishing.
func describe(j *intakeJob) (string, string) {
	m := j.m
	subject := m.Subject
	if subject == "" {
		subject = "(no subject)"
	}
	var b strings.Builder
	title := titleFrom(subject)
	if j.in.Kind == IntakePhishing {
		title = titleFrom("Phishing reported: " + subject)
		fmt.Fprintf(&b, "Phishing e-mail reported by %s.\n", m.From.String())
		if o := m.Forwarded; o != nil {
			fmt.Fprintf(&b, "Original sender: %s\n", o.From.String())
			if o.Subject != "" {
				fmt.Fprintf(&b, "Original subject: %s\n", o.Subject)
			}
			if o.Auth != (mailparse.Auth{}) {
				fmt.Fprintf(&b, "Authentication: spf=%s dkim=%s dmarc=%s\n", or(o.Auth.SPF, "none"), or(o.Auth.DKIM, "none"), or(o.Auth.DMARC, "none"))
			}
		}
		b.WriteString("\n")
	}
	if ref := refInSubject.FindStringSubmatch(m.Subject); ref != nil {
		fmt.Fprintf(&b, "The sender refers to %s.\n\n", ref[1])
	}
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = "(no text; see the attached message)"
	}
	b.WriteString(text)
	return title, cutRunes(b.String(), domain.MaxLongText)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cutRunes(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// quarantine keeps a refused message of size bytes: what there is of it in the blob store
// (unless too large to keep even there, when the hash alone is recorded), and a row saying
// why.
func (s *Service) quarantine(ctx context.Context, in InboundMail, size int64, sender, reason, detail string, now time.Time) (*IntakeResult, error) {
	sum := sha256.Sum256(in.Raw)
	hash := hex.EncodeToString(sum[:])
	if int64(len(in.Raw)) <= MaxAttachment*2 {
		if _, _, err := s.blobs.Put(bytes.NewReader(in.Raw), MaxAttachment*2); err != nil {
			return nil, fmt.Errorf("keeping the quarantined message: %w", err)
		}
	}
	if sender == "" {
		sender = strings.ToLower(mailparse.HeaderFrom(in.Raw).Addr)
	}
	q := &store.Quarantined{OrgID: s.orgID, Reason: reason, Detail: cutRunes(detail, 500), Sender: cutRunes(sender, domain.MaxContact),
		Recipient: in.Recipient, Size: size, SHA256: hash, ReceivedAt: now}
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertQuarantine(q); err != nil {
			return err
		}
		return tx.Append(s.entry(s.intakePrincipal(), "intake.quarantined", nil, map[string]any{"id": q.ID, "reason": reason, "sender": q.Sender, "sha256": hash, "size": q.Size}))
	})
	if err != nil {
		return nil, err
	}
	return &IntakeResult{Outcome: OutcomeQuarantined, Reason: reason}, nil
}

// Quarantine lists refused messages for administrators.
func (s *Service) Quarantine(ctx context.Context, p auth.Principal, limit int) ([]*store.Quarantined, error) {
	if !auth.Can(p, auth.ReadQuarantine, nil) {
		return nil, domain.ErrForbidden
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.store.Quarantine(ctx, s.orgID, limit)
}

// OpenQuarantined returns a refused message and its raw bytes for an administrator to
// inspect; the caller closes it. Opening it is recorded: the message may be hostile, and
// what left Vigil is worth knowing.
func (s *Service) OpenQuarantined(ctx context.Context, p auth.Principal, id int64) (*store.Quarantined, io.ReadCloser, error) {
	if !auth.Can(p, auth.ReadQuarantine, nil) {
		return nil, nil, domain.ErrForbidden
	}
	q, err := s.store.QuarantinedByID(ctx, s.orgID, id)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	if s.blobs == nil {
		return nil, nil, errors.New("no blob store configured")
	}
	f, err := s.blobs.Open(q.SHA256)
	if err != nil {
		// Only the hash is kept of a message too large for the blob store.
		return nil, nil, fmt.Errorf("quarantined message %d: %w", id, domain.ErrNotFound)
	}
	if err := s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "intake.quarantine.downloaded", nil, map[string]any{"id": q.ID, "sha256": q.SHA256}))
	}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return q, f, nil
}

// MailboxState is where polling of an IMAP mailbox was left.
type MailboxState = store.MailboxState

// LeaseMailbox gives owner the right to poll mailbox for lease, and where the last poll
// left off; ok is false while another node holds it.
func (s *Service) LeaseMailbox(ctx context.Context, mailbox, owner string, lease time.Duration) (st MailboxState, ok bool, err error) {
	now := s.now()
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		st, ok, err = tx.LeaseMailbox(s.orgID, mailbox, owner, now, now.Add(lease))
		return err
	})
	return st, ok, err
}

// SaveMailbox records how far mailbox has been read.
func (s *Service) SaveMailbox(ctx context.Context, mailbox string, st MailboxState) error {
	return s.store.Write(ctx, func(tx *store.Tx) error { return tx.SaveMailbox(s.orgID, mailbox, st) })
}

// QuarantineOversized records a message too large to fetch: only its header is kept.
func (s *Service) QuarantineOversized(ctx context.Context, in InboundMail, size int64) (*IntakeResult, error) {
	if s.blobs == nil {
		return nil, errors.New("e-mail intake needs a blob store for evidence")
	}
	return s.quarantine(ctx, in, size, "", mailparse.ReasonTooLarge, fmt.Sprintf("the message is %d bytes; only its header was fetched", size), s.now())
}
