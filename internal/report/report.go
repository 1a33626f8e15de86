package report

import (
	"time"
)

// Report is an incident's report: one per incident, its sections in
// Markdown by template key.
type Report struct {
	IncidentID int64             `json:"-"`
	Owner      string            `json:"owner"`
	Lang       string            `json:"lang"`
	Revision   int               `json:"revision"`
	Sections   map[string]string `json:"sections"`
	// TBDSince holds each section that is TBD and since when it has been.
	TBDSince map[string]time.Time `json:"tbd_since"`
	// DueAt is when the first report must have been shared. The service
	// sets it from the incident on every read (see Service.Deadline), so a
	// grade change moves it; the stored copy only orders the table.
	DueAt          time.Time  `json:"due_at"`
	FirstSharedAt  *time.Time `json:"first_shared_at"`
	SharedRevision int        `json:"shared_revision"`
	RemindedAt     *time.Time `json:"reminded_at"`
	// OverdueFlagged says the incident's timeline has a report_overdue
	// event already, so a late first report is flagged once however the
	// reminders before it went.
	OverdueFlagged bool      `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PendingQuery selects one page of work for the reports page or a
// reminder run, in incident order.
type PendingQuery struct {
	After int64 // the last incident of the page before
	Limit int
	// NotRemindedSince leaves out those whose owner was reminded after it;
	// zero keeps all.
	NotRemindedSince time.Time
}

// TBDMarker is what the incident list shows of a report: how many
// sections are TBD, and since when the oldest of them has been.
type TBDMarker struct {
	Count int
	Since time.Time
}

// Unstarted is what a reminder run needs to know of an incident whose
// report nobody started.
type Unstarted struct {
	OverdueFlagged bool
	RemindedAt     *time.Time
}

// Revision is one saved state of a report.
type Revision struct {
	Number   int               `json:"number"`
	Author   string            `json:"author"`
	At       time.Time         `json:"at"`
	Sections map[string]string `json:"sections"`
}

// Share records one sending of the report by e-mail.
type Share struct {
	Revision   int       `json:"revision"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	Recipients []string  `json:"recipients"`
	// Changes is how many sections changed since the share before; the
	// first share has all of them.
	Changes int `json:"changes"`
	// Deliveries say, per recipient, whether the mail was delivered.
	Deliveries []Delivery `json:"deliveries"`
}

// Mail is one e-mail the report sends: a share or a reminder. Key makes it
// idempotent in the outbox.
type Mail struct {
	Key     string
	To      string
	Lang    string
	Subject string
	Text    string
	HTML    string
}

// Overdue reports whether the first report is late: past its due time and
// not shared yet.
func (r *Report) Overdue(now time.Time) bool {
	return r.FirstSharedAt == nil && now.After(r.DueAt)
}

// TBDKeys lists the report's TBD sections in template order.
func (t Template) TBDKeys(r *Report) []string {
	var out []string
	for _, s := range t.Sections {
		if _, ok := r.TBDSince[s.Key]; ok {
			out = append(out, s.Key)
		}
	}
	return out
}

// trackTBD updates r.TBDSince for new section texts: a section that turns
// TBD starts its clock now, one that stays TBD keeps its start, one filled
// in leaves the list. Optional sections are never tracked.
func (t Template) trackTBD(r *Report, now time.Time) {
	next := map[string]time.Time{}
	for _, s := range t.Sections {
		if !s.Required || !IsTBD(r.Sections[s.Key]) {
			continue
		}
		if since, ok := r.TBDSince[s.Key]; ok {
			next[s.Key] = since
		} else {
			next[s.Key] = now
		}
	}
	r.TBDSince = next
}
