package insight

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"golang.org/x/sync/errgroup"
)

// Dimensions are what the durations are broken down by, in display order.
var Dimensions = []string{"grade", "service", "team", "cause", "source"}

// LongOpenAfter is how long a long-term item may stay open before it counts
// as stale.
const LongOpenAfter = 90 * 24 * time.Hour

// DefaultReviewWithin is how soon after resolution a review should be held
// when the config says nothing.
const DefaultReviewWithin = 14 * 24 * time.Hour

// maxHeatServices bounds the heatmap's rows: the services with the most
// incidents.
const maxHeatServices = 15

// maxListed bounds lists of single items (stale, overdue).
const maxListed = 20

// Service answers insight questions for a viewer.
type Service struct {
	Store   Store
	Catalog *catalog.Catalog
	// Zone is the organisation's time zone: months and quarters begin at
	// its midnight.
	Zone *time.Location
	Now  func() time.Time
	// ReviewWithin is the policy's time for holding a review after
	// resolution (0: DefaultReviewWithin).
	ReviewWithin time.Duration
	// CacheFor keeps each viewer's answer to the same question this long
	// (0: not at all). Insights look at months, so a minute's staleness
	// costs nothing and spares the database a dashboard's reloads.
	CacheFor time.Duration

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	at  time.Time
	rep *Report
}

// maxCached bounds the cache; when full it starts over.
const maxCached = 256

// Query is a question as people ask it; Report checks every field.
type Query struct {
	Period  string   `json:"period"`
	Bucket  string   `json:"bucket"`
	Team    string   `json:"team"`
	Service string   `json:"service"`
	Grades  []string `json:"grades"`
}

// Report is every measure for one query.
type Report struct {
	Period    Period           `json:"period"`
	Bucket    Bucket           `json:"bucket"`
	Zone      string           `json:"time_zone"`
	Team      string           `json:"team,omitempty"`
	Service   string           `json:"service,omitempty"`
	Grades    []incident.Grade `json:"grades,omitempty"`
	Incidents int              `json:"incidents"`
	// Truncated says the period held more rows than MaxRows.
	Truncated  bool               `json:"truncated"`
	Overall    Group              `json:"overall"`
	By         map[string][]Group `json:"by"`
	Counts     []CountBucket      `json:"counts"`
	Heatmap    Heatmap            `json:"heatmap"`
	Recurrence Recurrence         `json:"recurrence"`
	Items      ItemStats          `json:"action_items"`
	Reviews    ReviewStats        `json:"reviews"`
}

// CountBucket is the incidents started in one month or quarter, by grade.
type CountBucket struct {
	Label   string    `json:"label"`
	Start   time.Time `json:"start"`
	ByGrade [5]int    `json:"by_grade"` // SEV1 first
	Total   int       `json:"total"`
}

// Heatmap counts incidents per service (rows) and month (columns).
type Heatmap struct {
	Services []string `json:"services"`
	Months   []string `json:"months"`
	Cells    [][]int  `json:"cells"`
	Max      int      `json:"max"`
}

// Recurrence is the share of incidents linked to an earlier one.
type Recurrence struct {
	Incidents int     `json:"incidents"`
	Recurring int     `json:"recurring"`
	Share     float64 `json:"share"`
}

// ItemStats is how action items fare: opened and done in the period, done
// by their due date, and the ages of those still open.
type ItemStats struct {
	Opened     int        `json:"opened"`
	Done       int        `json:"done"`
	DoneDue    int        `json:"done_with_due_date"`
	DoneOnTime int        `json:"done_on_time"`
	OpenAges   []AgeGroup `json:"open_ages"`
	// LongOpen counts long-term items open more than 90 days; LongOpenItems
	// lists the oldest of them.
	LongOpen      int        `json:"long_open"`
	LongOpenItems []ItemLine `json:"long_open_items"`
	// Overdue counts open items past their due date; OverdueItems lists the
	// most overdue.
	Overdue      int        `json:"overdue"`
	OverdueItems []ItemLine `json:"overdue_items"`
}

// AgeGroup is the open items of one term and category and how old they are.
type AgeGroup struct {
	Term       string `json:"term"`
	Category   string `json:"category"`
	Open       int    `json:"open"`
	MedianDays int    `json:"median_age_days"`
	MaxDays    int    `json:"max_age_days"`
}

// ItemLine names one action item in a list.
type ItemLine struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Title      string     `json:"title"`
	Owner      string     `json:"owner"`
	Term       string     `json:"term"`
	Category   string     `json:"category"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	AgeDays    int        `json:"age_days"`
}

// ReviewStats is whether reviews of incidents resolved in the period were
// held within the policy's time.
type ReviewStats struct {
	WithinDays int `json:"within_days"`
	Stages     int `json:"stages"`
	Held       int `json:"held"`
	InTime     int `json:"held_in_time"`
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) zone() *time.Location {
	if s.Zone == nil {
		return time.UTC
	}
	return s.Zone
}

// filter checks q and turns it into what the store is asked.
func (s *Service) filter(by auth.User, q Query) (Filter, Report, error) {
	zone := s.zone()
	p, err := ParsePeriod(strings.TrimSpace(q.Period), s.now(), zone)
	if err != nil {
		return Filter{}, Report{}, err
	}
	b, err := ParseBucket(q.Bucket)
	if err != nil {
		return Filter{}, Report{}, err
	}
	rep := Report{Period: p, Bucket: b, Zone: zone.String(), Team: q.Team, Service: q.Service}
	f := Filter{From: p.From, To: p.To, Viewer: by.Name, SeeAll: by.IsAdmin(), Limit: MaxRows}
	for _, g := range q.Grades {
		if g == "" {
			continue
		}
		grade, err := incident.ParseGrade(g)
		if err != nil {
			return Filter{}, Report{}, fail.Field("grade", "must be SEV1 to SEV5; got %q", g)
		}
		f.Grades = append(f.Grades, grade)
	}
	rep.Grades = f.Grades
	cat := s.Catalog
	if cat == nil {
		cat = catalog.Empty()
	}
	if q.Team != "" {
		if _, ok := cat.Team(q.Team); !ok {
			return Filter{}, Report{}, fail.Field("team", "no team named %q", q.Team)
		}
		f.Services = cat.ServicesOfTeam(q.Team)
		if len(f.Services) == 0 {
			f.Services = []string{""} // a team without services has no incidents
		}
	}
	if q.Service != "" {
		if _, ok := cat.Service(q.Service); !ok {
			return Filter{}, Report{}, fail.Field("service", "no service named %q", q.Service)
		}
		if q.Team != "" && !slices.Contains(f.Services, q.Service) {
			return Filter{}, Report{}, fail.Field("service", "service %q is not team %q's", q.Service, q.Team)
		}
		f.Services = []string{q.Service}
	}
	return f, rep, nil
}

// Report answers q for the user by: restricted incidents count only where
// by may see them.
func (s *Service) Report(ctx context.Context, by auth.User, q Query) (*Report, error) {
	f, rep, err := s.filter(by, q)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint(f.Viewer, f.SeeAll, f.From.Unix(), f.To.Unix(), f.Grades, f.Services, rep.Bucket, rep.Period.Name, q.Team)
	if r := s.cached(key); r != nil {
		return r, nil
	}
	out, err := s.build(ctx, f, rep)
	if err == nil && s.CacheFor > 0 {
		s.mu.Lock()
		if s.cache == nil || len(s.cache) >= maxCached {
			s.cache = map[string]cached{}
		}
		s.cache[key] = cached{at: s.now(), rep: out}
		s.mu.Unlock()
	}
	return out, err
}

func (s *Service) cached(key string) *Report {
	if s.CacheFor <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[key]
	if !ok || s.now().Sub(c.at) > s.CacheFor {
		return nil
	}
	return c.rep
}

// build reads the rows and measures them. The four reads are independent,
// so they run side by side, each on a connection of its own, but no more
// at once than the process has cores (GOMAXPROCS): on SQLite each read is
// CPU work in the pure-Go driver, and four reads on two cores took a
// quarter to a third more CPU than two at a time, for a slower answer
// (docs/benchmarks.md, fifth pass). The two longest reads start first. The
// incidents are measured as soon as they are read, while the item
// questions still run.
func (s *Service) build(ctx context.Context, f Filter, rep Report) (*Report, error) {
	now := s.now()
	var (
		incs    []IncidentRow
		counts  ItemCounts
		items   ItemStats
		reviews ReviewCounts
		// truncatedItems says the open items were more than the limit.
		truncatedItems bool
	)
	within := s.ReviewWithin
	if within <= 0 {
		within = DefaultReviewWithin
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	g.Go(func() (err error) {
		incs, err = s.Store.InsightIncidents(ctx, f)
		if err == nil {
			s.measureIncidents(&rep, incs)
		}
		return err
	})
	g.Go(func() (err error) {
		open, err := s.Store.InsightOpenItems(ctx, f)
		if err != nil {
			return err
		}
		truncatedItems = len(open) >= f.Limit
		items, err = s.openStats(ctx, open, now)
		return err
	})
	g.Go(func() (err error) {
		counts, err = s.Store.InsightItemCounts(ctx, f)
		return err
	})
	g.Go(func() (err error) {
		reviews, err = s.Store.InsightReviews(ctx, f, within)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	rep.Truncated = len(incs) >= f.Limit || truncatedItems
	items.Opened, items.Done, items.DoneDue, items.DoneOnTime = counts.Opened, counts.Done, counts.DoneDue, counts.DoneOnTime
	rep.Items = items
	rep.Reviews = ReviewStats{WithinDays: int(within / (24 * time.Hour)), Stages: reviews.Stages, Held: reviews.Held, InTime: reviews.InTime}
	return &rep, nil
}

func (s *Service) measureIncidents(rep *Report, incs []IncidentRow) {
	zone := s.zone()
	rep.Incidents = len(incs)
	order := sortByDuration(incs)
	// The key functions hand out shared, read-only lists, so that no row
	// allocates its keys (five breakdowns of a year's rows).
	allKey := []string{"all"}
	all := groupBy(incs, order, func(IncidentRow) []string { return allKey })
	if len(all) == 1 {
		rep.Overall = all[0]
	} else {
		rep.Overall = Group{Key: "all", Stats: map[Measure]Stat{}}
		for _, m := range Measures {
			rep.Overall.Stats[m] = Stat{}
		}
	}
	rep.By = map[string][]Group{
		"grade":   groupBy(incs, order, gradeKeys()),
		"service": groupBy(incs, order, func(r IncidentRow) []string { return orNone(r.Services) }),
		"team":    groupBy(incs, order, s.teamsOf()),
		"cause":   groupBy(incs, order, func(r IncidentRow) []string { return orNone(r.CauseTags) }),
		"source":  groupBy(incs, order, sourceKeys()),
	}
	sort.Slice(rep.By["grade"], func(i, j int) bool { return rep.By["grade"][i].Key < rep.By["grade"][j].Key })
	rep.Counts = counts(incs, rep.Period, rep.Bucket, zone)
	rep.Heatmap = heatmap(incs, rep.Period, zone)
	rep.Recurrence = recurrence(incs)
}

// gradeKeys gives an incident's grade as its key, from one list per grade.
func gradeKeys() func(IncidentRow) []string {
	lists := map[incident.Grade][]string{}
	return func(r IncidentRow) []string {
		l, ok := lists[r.Grade]
		if !ok {
			l = []string{r.Grade.String()}
			lists[r.Grade] = l
		}
		return l
	}
}

// sourceKeys gives an incident's detection source as its key, from one
// list per source.
func sourceKeys() func(IncidentRow) []string {
	lists := map[incident.Detection][]string{}
	return func(r IncidentRow) []string {
		l, ok := lists[r.Detection]
		if !ok {
			l = []string{detectionSource(r)}
			lists[r.Detection] = l
		}
		return l
	}
}

// teamsOf gives the owning teams of an incident's services, each once.
// Each service's team is looked up in the catalog once per report (a
// lookup copies the service's whole entry), and an incident on one service
// (most are) gets that service's list of teams, shared.
func (s *Service) teamsOf() func(IncidentRow) []string {
	teamOf := map[string]string{}
	one := map[string][]string{}
	team := func(name string) string {
		t, ok := teamOf[name]
		if !ok {
			if s.Catalog != nil {
				if svc, found := s.Catalog.Service(name); found {
					t = svc.Team
				}
			}
			teamOf[name] = t
		}
		return t
	}
	return func(r IncidentRow) []string {
		if len(r.Services) == 1 {
			l, ok := one[r.Services[0]]
			if !ok {
				var teams []string
				if t := team(r.Services[0]); t != "" {
					teams = []string{t}
				}
				l = orNone(teams)
				one[r.Services[0]] = l
			}
			return l
		}
		var teams []string
		for _, name := range r.Services {
			if t := team(name); t != "" && !slices.Contains(teams, t) {
				teams = append(teams, t)
			}
		}
		return orNone(teams)
	}
}

func counts(incs []IncidentRow, p Period, b Bucket, zone *time.Location) []CountBucket {
	starts := buckets(p, b, zone)
	out := make([]CountBucket, len(starts))
	at := map[time.Time]int{}
	for i, st := range starts {
		out[i] = CountBucket{Label: bucketLabel(st, b), Start: st.UTC()}
		at[st] = i
	}
	for _, r := range incs {
		i, ok := at[bucketStart(r.StartedAt, b, zone)]
		if !ok || !r.Grade.Valid() {
			continue
		}
		out[i].ByGrade[r.Grade-1]++
		out[i].Total++
	}
	return out
}

func heatmap(incs []IncidentRow, p Period, zone *time.Location) Heatmap {
	starts := buckets(p, Month, zone)
	col := map[time.Time]int{}
	h := Heatmap{Months: make([]string, len(starts))}
	for i, st := range starts {
		h.Months[i] = bucketLabel(st, Month)
		col[st] = i
	}
	perService := map[string][]int{}
	total := map[string]int{}
	for _, r := range incs {
		c, ok := col[bucketStart(r.StartedAt, Month, zone)]
		if !ok {
			continue
		}
		for _, svc := range orNone(r.Services) {
			row := perService[svc]
			if row == nil {
				row = make([]int, len(starts))
				perService[svc] = row
			}
			row[c]++
			total[svc]++
		}
	}
	names := make([]string, 0, len(perService))
	for n := range perService {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if total[names[i]] != total[names[j]] {
			return total[names[i]] > total[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > maxHeatServices {
		names = names[:maxHeatServices]
	}
	sort.Strings(names)
	h.Services = names
	for _, n := range names {
		h.Cells = append(h.Cells, perService[n])
		for _, v := range perService[n] {
			h.Max = max(h.Max, v)
		}
	}
	return h
}

func recurrence(incs []IncidentRow) Recurrence {
	r := Recurrence{Incidents: len(incs)}
	for _, x := range incs {
		if x.Recurs {
			r.Recurring++
		}
	}
	if r.Incidents > 0 {
		r.Share = float64(r.Recurring) / float64(r.Incidents)
	}
	return r
}

func line(it ItemRow, now time.Time) ItemLine {
	return ItemLine{
		ID:         it.ID,
		IncidentID: it.IncidentID,
		Title:      it.Title,
		Owner:      it.Owner,
		Term:       it.Term,
		Category:   it.Category,
		DueAt:      it.DueAt,
		AgeDays:    int(max(now.Sub(it.CreatedAt), 0) / (24 * time.Hour)),
	}
}
