package maintenance

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

func TestMatchers(t *testing.T) {
	labels := map[string]string{"alertname": "DBDown", "env": "prod", "instance": "db-1:9100"}
	cases := []struct {
		in   string
		want bool
	}{
		{`alertname="DBDown"`, true},
		{`alertname=DBDown`, true},
		{`env!=prod`, false},
		{`env!="staging"`, true},
		{`instance=~"db-.*"`, true},
		{`instance=~"db"`, false}, // anchored, as in Alertmanager
		{`instance!~"web-.*"`, true},
		{`missing=""`, true}, // a missing label is the empty string
		{`missing!=""`, false},
	}
	for _, c := range cases {
		m, err := ParseMatcher(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := m.Matches(labels); got != c.want {
			t.Errorf("%s on %v = %v, want %v", c.in, labels, got, c.want)
		}
	}
	for _, bad := range []string{"", "=x", "a b=c", "x=~(", "novalue"} {
		if _, err := ParseMatcher(bad); err == nil {
			t.Errorf("ParseMatcher(%q) took it", bad)
		}
	}
	m, _ := ParseMatcher(`env=~"prod|stg"`)
	if again, err := ParseMatcher(m.String()); err != nil || again.Value != m.Value || again.Op != m.Op {
		t.Errorf("round trip of %s: %+v %v", m, again, err)
	}
}

func TestWeeklyRecurrenceInZone(t *testing.T) {
	w := Window{Title: "DB patching", Services: []string{"db"},
		Recurrence: &Recurrence{Weekdays: []string{"tue", "thu"}, At: "02:00", Duration: "2h", Zone: "Asia/Seoul"}}
	if err := w.Check(nil); err != nil {
		t.Fatal(err)
	}
	// Tuesday 2026-12-01 02:00 KST is Monday 17:00 UTC.
	mon := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	ivs := w.Occurrences(mon, mon.Add(7*24*time.Hour))
	if len(ivs) != 2 {
		t.Fatalf("occurrences in a week = %v, want Tue and Thu", ivs)
	}
	if want := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC); !ivs[0].Start.Equal(want) || ivs[0].End.Sub(ivs[0].Start) != 2*time.Hour {
		t.Errorf("first = %v, want %v for 2h", ivs[0], want)
	}
	in := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	if _, ok := w.ActiveAt(in); !ok {
		t.Error("not active inside Tuesday's slot")
	}
	if _, ok := w.ActiveAt(in.Add(2 * time.Hour)); ok {
		t.Error("active after Tuesday's slot")
	}
	ended := in.Add(30 * time.Minute)
	w.EndedAt = &ended
	if _, ok := w.ActiveAt(ended.Add(time.Minute)); ok {
		t.Error("active after it was ended")
	}
	if _, ok := w.Next(ended); ok {
		t.Error("an ended window has a next occurrence")
	}
}

func TestWindowCheckNamesTheField(t *testing.T) {
	start := time.Date(2026, 12, 5, 22, 0, 0, 0, time.UTC)
	cases := []struct {
		w     Window
		field string
	}{
		{Window{Services: []string{"db"}, StartsAt: start, EndsAt: start.Add(time.Hour)}, "title"},
		{Window{Title: "x", StartsAt: start, EndsAt: start.Add(time.Hour)}, "services"},
		{Window{Title: "x", Services: []string{"nope"}, StartsAt: start, EndsAt: start.Add(time.Hour)}, "services"},
		{Window{Title: "x", Services: []string{"db"}, StartsAt: start, EndsAt: start}, "ends_at"},
		{Window{Title: "x", Services: []string{"db"}, EndsAt: start}, "starts_at"},
		{Window{Title: "x", Matchers: []Matcher{{Name: "env", Op: NotEqual, Value: "prod"}}, StartsAt: start, EndsAt: start.Add(time.Hour)}, "matchers"},
		{Window{Title: "x", Services: []string{"db"}, Recurrence: &Recurrence{Weekdays: []string{"mo"}, At: "02:00", Duration: "1h"}}, "recurrence.weekdays"},
		{Window{Title: "x", Services: []string{"db"}, Recurrence: &Recurrence{Weekdays: []string{"mon"}, At: "25:00", Duration: "1h"}}, "recurrence.at"},
		{Window{Title: "x", Services: []string{"db"}, Recurrence: &Recurrence{Weekdays: []string{"mon"}, At: "02:00", Duration: "9d"}}, "recurrence.duration"},
		{Window{Title: "x", Services: []string{"db"}, Recurrence: &Recurrence{Weekdays: []string{"mon"}, At: "02:00", Duration: "1h", Zone: "Mars/Base"}}, "recurrence.zone"},
		{Window{Title: "a\u202eb", Services: []string{"db"}, StartsAt: start, EndsAt: start.Add(time.Hour)}, "title"},
	}
	exists := func(s string) bool { return s == "db" }
	for i, c := range cases {
		err := c.w.Check(exists)
		fe, ok := fail.As(err)
		if !ok || fe.Field != c.field {
			t.Errorf("case %d: %v, want an error naming %s", i, err, c.field)
		}
	}
}

// memStore is a Loader for the cache test.
type memStore struct {
	ws   []Window
	ss   []Silence
	mark int64
}

func (m *memStore) ActiveWindows(context.Context, time.Time) ([]Window, error)   { return m.ws, nil }
func (m *memStore) ActiveSilences(context.Context, time.Time) ([]Silence, error) { return m.ss, nil }
func (m *memStore) ChangeMark(context.Context) (int64, error)                    { return m.mark, nil }

func TestCacheSuppresses(t *testing.T) {
	now := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	st := &memStore{
		ws: []Window{{ID: 3, Title: "DB upgrade", Services: []string{"db"}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}},
		ss: []Silence{{ID: 4, Matchers: []Matcher{{Name: "alertname", Op: Regexp, Value: "Disk.*"}}, StartsAt: now, EndsAt: now.Add(2 * time.Hour)}},
	}
	c := &Cache{Store: st, Now: func() time.Time { return now }}
	if _, _, ok := c.Suppressed("db", nil, now); ok {
		t.Fatal("suppressed before the first load")
	}
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	by, until, ok := c.Suppressed("db", map[string]string{"alertname": "X"}, now)
	if !ok || by != "MW-3" || !until.Equal(now.Add(time.Hour)) {
		t.Errorf("db signal: %s %v %v, want MW-3 until the window's end", by, until, ok)
	}
	if by, _, ok := c.Suppressed("web", map[string]string{"service": "db"}, now); !ok || by != "MW-3" {
		t.Errorf("a service label names the window's service: %s %v", by, ok)
	}
	if by, _, ok := c.Suppressed("web", map[string]string{"alertname": "DiskFull"}, now); !ok || by != "SIL-4" {
		t.Errorf("silenced signal: %s %v", by, ok)
	}
	if _, _, ok := c.Suppressed("web", map[string]string{"alertname": "HighLatency"}, now); ok {
		t.Error("an unmatched signal is suppressed")
	}
	if _, _, ok := c.Suppressed("db", nil, now.Add(time.Hour)); ok {
		t.Error("suppressed after the window's end")
	}
}

func TestWhoMayPlan(t *testing.T) {
	svc := &Service{Now: time.Now, TeamOf: func(s string) string { return map[string]string{"db": "platform"}[s] }}
	manager := auth.User{Name: "kim", Role: auth.Viewer, Teams: []auth.Membership{{Team: "platform", Role: auth.TeamManager}}}
	responder := auth.User{Name: "lee", Role: auth.Viewer, Teams: []auth.Membership{{Team: "platform", Role: auth.TeamResponder}}}
	admin := auth.User{Name: "root", Role: auth.Admin}
	if err := svc.mayPlan(manager, []string{"db"}); err != nil {
		t.Errorf("the team's manager: %v", err)
	}
	if err := svc.mayPlan(responder, []string{"db"}); fail.CodeOf(err) != fail.Forbidden {
		t.Errorf("a responder: %v", err)
	}
	if err := svc.mayPlan(manager, nil); fail.CodeOf(err) != fail.Forbidden {
		t.Errorf("a manager with matchers alone: %v", err)
	}
	if err := svc.mayPlan(admin, nil); err != nil {
		t.Errorf("an admin: %v", err)
	}
}
