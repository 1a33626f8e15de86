package maintenance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// Window is a planned maintenance: one-off (StartsAt to EndsAt) or
// recurring (Recurrence, optionally bounded by StartsAt and EndsAt). It
// covers the signals of its services and those its matchers match: a
// signal is covered when its service (or its "service" label) is one of
// Services, if any are given, and every matcher holds.
type Window struct {
	ID         int64       `json:"id"`
	Title      string      `json:"title"`
	Reason     string      `json:"reason"`
	Services   []string    `json:"services"`
	Matchers   []Matcher   `json:"matchers"`
	StartsAt   time.Time   `json:"starts_at"`
	EndsAt     time.Time   `json:"ends_at"`
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// Public windows of public services show on the status page.
	Public    bool       `json:"public"`
	Source    string     `json:"source"` // "api", "ui", "cli" or "config"
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	EndedBy   string     `json:"ended_by,omitempty"`
}

// Recurrence repeats a window weekly: on each of Weekdays, at the local
// time At in Zone, for Duration. It is deliberately this small (not an
// RRULE): weekly slots are what maintenance calendars hold, and each one
// is unambiguous across daylight-saving changes because it is computed in
// Zone's wall clock.
type Recurrence struct {
	Weekdays []string `json:"weekdays"` // mon tue wed thu fri sat sun
	At       string   `json:"at"`       // "HH:MM", local time in Zone
	Duration string   `json:"duration"` // Go duration, 1m to 7 days
	Zone     string   `json:"zone"`     // IANA name, e.g. Asia/Seoul
}

// EventActive is the timeline event of an incident declared while a
// maintenance window on one of its services is in progress: the window is
// on the timeline of the incident it overlaps.
const EventActive incident.EventKind = "maintenance_active"

// Interval is one occurrence of a window.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// maxDuration bounds one occurrence: a week-long "maintenance" hides a real
// outage too well.
const maxDuration = 7 * 24 * time.Hour

// parsed is a checked recurrence.
type parsed struct {
	days     [7]bool
	hour     int
	min      int
	duration time.Duration
	zone     *time.Location
}

func (r *Recurrence) parse() (parsed, error) {
	var p parsed
	if len(r.Weekdays) == 0 {
		return p, fail.Field("recurrence.weekdays", "name at least one day: mon, tue, wed, thu, fri, sat, sun")
	}
	for _, d := range r.Weekdays {
		i := slices.Index(weekdayNames, strings.ToLower(strings.TrimSpace(d)))
		if i < 0 {
			return p, fail.Field("recurrence.weekdays", "%q is not one of mon, tue, wed, thu, fri, sat, sun", d)
		}
		p.days[i] = true
	}
	if _, err := fmt.Sscanf(r.At, "%d:%d", &p.hour, &p.min); err != nil || len(r.At) != 5 ||
		p.hour < 0 || p.hour > 23 || p.min < 0 || p.min > 59 {
		return p, fail.Field("recurrence.at", "%q must be a local time HH:MM", r.At)
	}
	d, err := time.ParseDuration(r.Duration)
	if err != nil || d < time.Minute || d > maxDuration {
		return p, fail.Field("recurrence.duration", "%q must be a duration from 1m to 168h, e.g. 2h30m", r.Duration)
	}
	p.duration = d
	zone := r.Zone
	if zone == "" {
		zone = "UTC"
	}
	if p.zone, err = time.LoadLocation(zone); err != nil {
		return p, fail.Field("recurrence.zone", "%q is not a known time zone (e.g. Asia/Seoul)", r.Zone)
	}
	return p, nil
}

// Check validates the window as people give it; serviceExists may be nil.
func (w *Window) Check(serviceExists func(string) bool) error {
	w.Title = strings.TrimSpace(w.Title)
	if w.Title == "" {
		return fail.Field("title", "is required: say what the maintenance is")
	}
	if len(w.Title) > 200 {
		return fail.Field("title", "is longer than 200 bytes")
	}
	if err := textrule.Title("title", w.Title); err != nil {
		return err
	}
	if len(w.Reason) > 2000 {
		return fail.Field("reason", "is longer than 2000 bytes")
	}
	if err := textrule.Text("reason", w.Reason); err != nil {
		return err
	}
	if len(w.Services) == 0 && len(w.Matchers) == 0 {
		return fail.Field("services", "name a service or a label matcher: a window over everything would hide every alert")
	}
	for _, s := range w.Services {
		if serviceExists != nil && !serviceExists(s) {
			return fail.Field("services", "no service %q in the catalog", s)
		}
	}
	if err := CheckMatchers("matchers", w.Matchers); err != nil {
		return err
	}
	if len(w.Services) == 0 && allMatchEmpty(w.Matchers) {
		return fail.Field("matchers", "at least one matcher must need a label value: these match every signal")
	}
	if w.Recurrence != nil {
		if _, err := w.Recurrence.parse(); err != nil {
			return err
		}
		if !w.StartsAt.IsZero() && !w.EndsAt.IsZero() && !w.EndsAt.After(w.StartsAt) {
			return fail.Field("ends_at", "must be after starts_at")
		}
		return nil
	}
	if w.StartsAt.IsZero() {
		return fail.Field("starts_at", "is required for a one-off window (or give a recurrence)")
	}
	if w.EndsAt.IsZero() {
		return fail.Field("ends_at", "is required for a one-off window (or give a recurrence)")
	}
	if !w.EndsAt.After(w.StartsAt) {
		return fail.Field("ends_at", "must be after starts_at")
	}
	if w.EndsAt.Sub(w.StartsAt) > maxDuration {
		return fail.Field("ends_at", "a window lasts at most 7 days; make it recurring instead")
	}
	return nil
}

func allMatchEmpty(ms []Matcher) bool {
	for i := range ms {
		if !ms[i].matchesEmpty() {
			return false
		}
	}
	return true
}

// Occurrences returns the window's occurrences that overlap [from, to),
// in order, cut short where the window was ended early.
func (w *Window) Occurrences(from, to time.Time) []Interval {
	var out []Interval
	add := func(iv Interval) {
		if w.EndedAt != nil && iv.End.After(*w.EndedAt) {
			iv.End = *w.EndedAt
		}
		if iv.End.After(iv.Start) && iv.End.After(from) && iv.Start.Before(to) {
			out = append(out, iv)
		}
	}
	if w.Recurrence == nil {
		add(Interval{w.StartsAt, w.EndsAt})
		return out
	}
	p, err := w.Recurrence.parse()
	if err != nil {
		return nil
	}
	// Start a duration early, so an occurrence begun before from is seen.
	day := from.Add(-p.duration).In(p.zone)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.zone)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if !p.days[day.Weekday()] {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), p.hour, p.min, 0, 0, p.zone).UTC()
		if !w.StartsAt.IsZero() && start.Before(w.StartsAt) {
			continue
		}
		if !w.EndsAt.IsZero() && !start.Before(w.EndsAt) {
			continue
		}
		add(Interval{start, start.Add(p.duration)})
	}
	return out
}

// ActiveAt returns the occurrence that holds at t, if any.
func (w *Window) ActiveAt(t time.Time) (Interval, bool) {
	for _, iv := range w.Occurrences(t, t.Add(time.Nanosecond)) {
		if !t.Before(iv.Start) && t.Before(iv.End) {
			return iv, true
		}
	}
	return Interval{}, false
}

// Next returns the first occurrence that has not ended by t, looking up to
// eight days ahead.
func (w *Window) Next(t time.Time) (Interval, bool) {
	ivs := w.Occurrences(t, t.Add(8*24*time.Hour))
	if len(ivs) == 0 {
		return Interval{}, false
	}
	return ivs[0], true
}

// Covers reports whether the window's scope takes in a signal of service
// with labels (the time is another question: see ActiveAt).
func (w *Window) Covers(service string, labels map[string]string) bool {
	if len(w.Services) > 0 && !slices.Contains(w.Services, service) && !slices.Contains(w.Services, labels["service"]) {
		return false
	}
	return matchAll(w.Matchers, labels)
}

// Ref is the window's id as people see it, e.g. "MW-3".
func (w *Window) Ref() string { return fmt.Sprintf("MW-%d", w.ID) }

// Recurring reports whether the window repeats.
func (w *Window) Recurring() bool { return w.Recurrence != nil }
