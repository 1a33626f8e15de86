package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// The insights read each incident's facts and each open action item as one
// text value, its fields joined with packSep (migration 0053). On SQLite
// the values are generated columns stored in the indexes the reads walk;
// on PostgreSQL the query builds the same text. One column instead of
// eleven per row cut the read of a year's facts on the pure-Go SQLite
// driver to about a third (17 to 6 ms of CPU), as every column of every
// row costs a round of driver calls and a Go string for text.

// packSep joins the fields of a packed row: a C0 control character, which
// the input rules keep out of names, tags and times.
const packSep = "\x1e"

// packedFacts is the SELECT expression of an incident's packed facts on
// insight_facts f: started_unix, incident_id, grade, recurs, the four
// durations (empty when NULL), detection, services and cause tags.
func (db *DB) packedFacts() string {
	if db.Dialect == SQLite {
		return "f.packed"
	}
	sep := " || chr(30) || "
	return "f.started_unix" + sep + "f.incident_id" + sep + "f.grade" + sep + "f.recurs" + sep +
		"coalesce(f.detect_s::text, '')" + sep + "coalesce(f.ack_s::text, '')" + sep +
		"coalesce(f.mitigate_s::text, '')" + sep + "coalesce(f.resolve_s::text, '')" + sep +
		"f.detection" + sep + "f.services" + sep + "f.cause_tags"
}

// packedOpenItem is the SELECT expression of an open item's packed row on
// action_items ai: id, term, category, created_at and due_at (empty when
// NULL), the times as SQLite writes them (sqliteTime).
func (db *DB) packedOpenItem() string {
	if db.Dialect == SQLite {
		return "ai.insight_open"
	}
	sep := " || chr(30) || "
	ts := func(col string) string {
		return "to_char(" + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	}
	return "ai.id" + sep + "ai.term" + sep + "ai.category" + sep + ts("ai.created_at") + sep + "coalesce(" + ts("ai.due_at") + ", '')"
}

// unpacker decodes packed rows. It keeps one copy of each distinct list of
// services and tags, so a year of rows shares a handful of slices instead
// of allocating its own.
type unpacker struct {
	lists  map[string][]string
	fields [11]string
}

func newUnpacker() *unpacker {
	return &unpacker{lists: map[string][]string{}}
}

// split cuts s into n fields at packSep, into u.fields.
func (u *unpacker) split(s string, n int) error {
	for i := range n - 1 {
		j := strings.Index(s, packSep)
		if j < 0 {
			return fmt.Errorf("packed row has %d fields, want %d", i+1, n)
		}
		u.fields[i], s = s[:j], s[j+len(packSep):]
	}
	u.fields[n-1] = s
	return nil
}

// list gives the one copy of a list joined with factSep (nil when empty).
func (u *unpacker) list(s string) []string {
	if s == "" {
		return nil
	}
	if v, ok := u.lists[s]; ok {
		return v
	}
	v := splitFacts(strings.Clone(s))
	u.lists[strings.Clone(s)] = v
	return v
}

// facts decodes packedFacts into r.
func (u *unpacker) facts(s string, r *insight.IncidentRow) error {
	if err := u.split(s, 11); err != nil {
		return err
	}
	f := &u.fields
	started, err1 := strconv.ParseInt(f[0], 10, 64)
	id, err2 := strconv.ParseInt(f[1], 10, 64)
	grade, err3 := strconv.Atoi(f[2])
	if err := firstErr(err1, err2, err3); err != nil {
		return fmt.Errorf("packed facts %q: %w", s, err)
	}
	r.ID, r.Grade, r.StartedAt, r.Recurs = id, incident.Grade(grade), time.Unix(started, 0).UTC(), f[3] != "0"
	for m := range r.Took {
		if f[4+m] == "" {
			continue
		}
		secs, err := strconv.ParseInt(f[4+m], 10, 64)
		if err != nil {
			return fmt.Errorf("packed facts %q: %w", s, err)
		}
		r.Took[m], r.Has[m] = time.Duration(secs)*time.Second, true
	}
	r.Detection = incident.Detection(f[8])
	r.Services, r.CauseTags = u.list(f[9]), u.list(f[10])
	return nil
}

// openItem decodes packedOpenItem into it.
func (u *unpacker) openItem(s string, it *insight.OpenItem) error {
	if err := u.split(s, 5); err != nil {
		return err
	}
	f := &u.fields
	id, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("packed open item %q: %w", s, err)
	}
	created, err := packedTime(f[3])
	if err != nil {
		return fmt.Errorf("packed open item %q: %w", s, err)
	}
	if f[4] != "" {
		due, err := packedTime(f[4])
		if err != nil {
			return fmt.Errorf("packed open item %q: %w", s, err)
		}
		it.DueAt = &due
	}
	// Term and category stay slices of the packed text: the rows live only
	// while a question is measured.
	it.ID, it.Term, it.Category, it.CreatedAt = id, f[1], f[2], created
	return nil
}

// packedTime reads a time of a packed row, written as sqliteTime by both
// databases: by hand when it has that fixed width (time.Parse was a tenth
// of the open items' read), by time.Parse otherwise.
func packedTime(s string) (time.Time, error) {
	if len(s) != len(sqliteTime) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		var t scanTime
		err := t.parse(s)
		return t.Time, err
	}
	n := func(from, to int) int {
		v := 0
		for _, c := range s[from:to] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day, hour, minute, sec, micro := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 26)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 || micro < 0 {
		var t scanTime
		err := t.parse(s)
		return t.Time, err
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, time.UTC)
	if t.Day() != day { // 31 April: time.Date would roll it over
		var t scanTime
		err := t.parse(s)
		return t.Time, err
	}
	return t, nil
}

// grow extends rows by one zero row, doubling its room when full: append
// grows a long slice by a quarter at a time, and a year's rows then cost
// several times their size in copies left to the collector.
func grow[T any](rows []T) []T {
	if len(rows) == cap(rows) {
		rows = slices.Grow(rows, max(len(rows), 256))
	}
	return rows[:len(rows)+1]
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
