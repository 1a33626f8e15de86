package statuspage

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

func TestImpact(t *testing.T) {
	for _, c := range []struct {
		grade  incident.Grade
		status incident.Status
		want   State
	}{
		{incident.SEV1, incident.Investigating, Outage},
		{incident.SEV2, incident.Identified, Outage},
		{incident.SEV1, incident.Monitoring, Degraded},
		{incident.SEV3, incident.Investigating, Degraded},
		{incident.SEV5, incident.Identified, Degraded},
		{incident.SEV1, incident.Resolved, Operational},
		{incident.SEV2, incident.Closed, Operational},
	} {
		if got := Impact(&incident.Incident{Grade: c.grade, Status: c.status}); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.grade, c.status, got, c.want)
		}
	}
}

// pageStore answers with fixed incidents, checking that the page asks only
// for what its audience may see.
type pageStore struct {
	t              *testing.T
	open, resolved []*incident.Incident
	wantVis        int
}

func (s pageStore) StatusIncidents(_ context.Context, q Query) ([]*incident.Incident, error) {
	if len(q.Visibilities) != s.wantVis || q.Limit <= 0 {
		s.t.Errorf("query %+v", q)
	}
	if q.Open {
		return s.open, nil
	}
	return s.resolved, nil
}

func (s pageStore) StatusUpdates(_ context.Context, ids []int64, _ bool, _ int) (map[int64][]incident.Event, error) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	return map[int64][]incident.Event{1: {{At: at.Add(time.Hour)}, {At: at}}}, nil
}

func TestBuild(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	resolvedAt := t0.Add(3 * time.Hour)
	open := []*incident.Incident{
		{ID: 1, Grade: incident.SEV3, Status: incident.Investigating, Services: []string{"search", "checkout"}, CreatedAt: t0},
		{ID: 2, Grade: incident.SEV1, Status: incident.Identified, Services: []string{"checkout"}, CreatedAt: t0},
	}
	resolved := []*incident.Incident{{ID: 3, Grade: incident.SEV1, Status: incident.Resolved, Services: []string{"auth"}, CreatedAt: t0, ResolvedAt: &resolvedAt}}
	catalog := []string{"auth", "checkout", "ledger", "search"}

	p, err := Build(context.Background(), pageStore{t, open, resolved, 1}, Public, catalog, t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Public: only the services open incidents name, worst first.
	if len(p.Services) != 2 || p.Services[0].Name != "checkout" || p.Services[0].State != Outage ||
		p.Services[1].Name != "search" || p.Services[1].State != Degraded || p.Worst() != Outage {
		t.Fatalf("services %+v", p.Services)
	}
	if got := p.Services[0].Incidents; len(got) != 2 || got[0] != "INC-1" || got[1] != "INC-2" {
		t.Errorf("checkout's incidents %v", got)
	}
	// Updated: the newest update, the resolution, or the declaration.
	if !p.Open[0].Updated.Equal(t0.Add(2*time.Hour)) || !p.Open[1].Updated.Equal(t0) || !p.Resolved[0].Updated.Equal(resolvedAt) || !p.Updated.Equal(resolvedAt) {
		t.Errorf("updated: %s %s %s page %s", p.Open[0].Updated, p.Open[1].Updated, p.Resolved[0].Updated, p.Updated)
	}

	staff, err := Build(context.Background(), pageStore{t, open, resolved, 2}, Staff, catalog, t0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range staff.Services {
		names = append(names, s.Name+":"+string(s.State))
	}
	want := []string{"checkout:outage", "search:degraded", "auth:operational", "ledger:operational"}
	if len(names) != len(want) {
		t.Fatalf("staff services %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("staff services %v, want %v", names, want)
		}
	}
	if (&Page{}).Worst() != Operational {
		t.Error("an empty page is not operational")
	}
}
