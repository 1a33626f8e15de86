package incident

import (
	"strings"
	"testing"
	"time"
)

func TestParseGrade(t *testing.T) {
	for in, want := range map[string]Grade{"SEV1": SEV1, "sev2": SEV2, "3": SEV3, " Sev4 ": SEV4, "SEV5": SEV5} {
		if g, err := ParseGrade(in); err != nil || g != want {
			t.Errorf("ParseGrade(%q) = %v, %v; want %v", in, g, err, want)
		}
	}
	for _, in := range []string{"", "SEV0", "SEV6", "critical", "SEV1.5", "-1"} {
		if _, err := ParseGrade(in); err == nil || !strings.Contains(err.Error(), "SEV1") {
			t.Errorf("ParseGrade(%q) gave %v, want an error listing the grades", in, err)
		}
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]int64{"INC-42": 42, "inc-7": 7, "12": 12} {
		if id, ok := ParseRef(in); !ok || id != want {
			t.Errorf("ParseRef(%q) = %d, %v", in, id, ok)
		}
	}
	for _, in := range []string{"", "INC-", "INC-0", "INC--3", "abc"} {
		if _, ok := ParseRef(in); ok {
			t.Errorf("ParseRef(%q) accepted", in)
		}
	}
	if FormatRef(42) != "INC-42" {
		t.Fatal(FormatRef(42))
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{}
	for _, c := range []struct{ from, to Status }{
		{Investigating, Identified}, {Investigating, Monitoring}, {Investigating, Resolved},
		{Identified, Investigating}, {Identified, Monitoring}, {Identified, Resolved},
		{Monitoring, Investigating}, {Monitoring, Identified}, {Monitoring, Resolved},
		{Resolved, Investigating}, {Resolved, Closed},
	} {
		allowed[[2]Status{c.from, c.to}] = true
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			if got := from.CanBecome(to); got != allowed[[2]Status{from, to}] {
				t.Errorf("%s -> %s: CanBecome = %v", from, to, got)
			}
		}
	}
	if msg := transitionHelp(Resolved, Monitoring); !strings.Contains(msg, "allowed statuses are: investigating, closed") {
		t.Errorf("help: %s", msg)
	}
	if msg := transitionHelp(Closed, Investigating); !strings.Contains(msg, "final") {
		t.Errorf("help for closed: %s", msg)
	}
}

func TestCadenceDue(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	every := 15 * time.Minute
	cases := []struct {
		name             string
		update, reminder time.Duration // ago; reminder 0: none
		want             bool
	}{
		{"silent past the interval", 16 * time.Minute, 0, true},
		{"exactly the interval", 15 * time.Minute, 0, false},
		{"updated recently", 5 * time.Minute, 0, false},
		{"reminded recently", 40 * time.Minute, 10 * time.Minute, false},
		{"reminded an interval ago", 40 * time.Minute, 16 * time.Minute, true},
		{"updated after the reminder", 5 * time.Minute, 20 * time.Minute, false},
	}
	for _, c := range cases {
		cad := Cadence{LastUpdate: now.Add(-c.update)}
		if c.reminder > 0 {
			cad.LastReminder = now.Add(-c.reminder)
		}
		if got := cad.Due(every, now); got != c.want {
			t.Errorf("%s: due = %v", c.name, got)
		}
	}
}

func TestReminderRecipient(t *testing.T) {
	inc := &Incident{CreatedBy: "dana", Roles: map[Role]string{}}
	for _, c := range []struct {
		roles map[Role]string
		want  string
	}{
		{map[Role]string{Communicator: "cora", Resolver: "rae"}, "cora"},
		{map[Role]string{Resolver: "rae"}, "rae"},
		{map[Role]string{}, "dana"},
	} {
		inc.Roles = c.roles
		if got := ReminderRecipient(inc); got != c.want {
			t.Errorf("roles %v: %q, want %q", c.roles, got, c.want)
		}
	}
}
