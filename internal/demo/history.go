package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// HistoryStore writes past incidents as they were, with their times, which
// the incident service (which stamps "now") cannot.
type HistoryStore interface {
	CreateIncident(ctx context.Context, inc *incident.Incident, events []incident.Event) error
}

// HistoryReviews writes the reviews, action items and recurrence links of
// past incidents.
type HistoryReviews interface {
	CreateItem(ctx context.Context, it *review.ActionItem, ev incident.Event) error
	UpdateItem(ctx context.Context, id int64, change func(*review.ActionItem) (*incident.Event, bool, error)) (*review.ActionItem, error)
	SaveRetrospective(ctx context.Context, r *review.Retrospective, ev incident.Event) error
	SaveMatches(ctx context.Context, incidentID int64, ms []review.Match, ev func([]review.Match) incident.Event) ([]review.Match, error)
}

// HistoryIncidents is how many past incidents SeedHistory writes.
const HistoryIncidents = 160

// demoTitles are past incidents' titles, Korean and English mixed as in the
// rest of the demo.
var demoTitles = []string{
	"결제 승인 지연 (Payment approvals slow)", "Login token refresh failing", "푸시 알림 지연", "Ledger replica lag",
	"상태 페이지 갱신 실패", "Support portal 502s", "메시지 게이트웨이 타임아웃", "Checkout error rate up",
	"DB 커넥션 풀 고갈", "Certificate expired on partner API", "배포 후 메모리 누수", "Cache stampede after restart",
}

var demoCauses = []string{"deploy", "config", "capacity", "db-lock", "dependency", "certificate", "network"}

// SeedHistory writes a year of closed incidents before now, with their
// reviews, action items (some done late, some long-term and stale) and
// recurrence links, so the insights page shows trends on first start. The
// numbers come from a fixed seed: every demo shows the same year.
func SeedHistory(ctx context.Context, incs HistoryStore, reviews HistoryReviews, cat *catalog.Catalog, now time.Time) error {
	services := cat.Services()
	if len(services) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(18, 2026))
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	type past struct {
		id      int64
		service string
		cause   string
	}
	var seen []past
	for n := range HistoryIncidents {
		// Spread over the year before the last two days; more in the winter
		// peak so the trend has a shape.
		day := 2 + rng.IntN(363)
		if n%5 == 0 {
			day = 2 + rng.IntN(60)
		}
		start := now.Add(-time.Duration(day)*24*time.Hour - minutes(0, 24*60))
		svc := services[rng.IntN(len(services))]
		team, _ := cat.Team(svc.Team)
		people := append([]string{team.Lead}, team.Members...)
		resolver := people[rng.IntN(len(people))]
		if resolver == "" {
			resolver = AdminName
		}
		grade := incident.Grade([]int{1, 2, 2, 3, 3, 3, 4, 4, 4, 5}[rng.IntN(10)])
		cause := demoCauses[rng.IntN(len(demoCauses))]
		detected := start.Add(minutes(1, 12*int(grade)))
		acked := detected.Add(minutes(1, 4*int(grade)))
		mitigated := detected.Add(minutes(5, 40*int(grade)))
		resolved := mitigated.Add(minutes(10, 90*int(grade)))
		closed := resolved.Add(time.Duration(3+rng.IntN(10)) * 24 * time.Hour)
		vis := incident.Internal
		switch r := rng.IntN(20); {
		case r == 0:
			vis = incident.Restricted
		case r < 7:
			vis = incident.Public
		}
		inc := &incident.Incident{
			Title: demoTitles[rng.IntN(len(demoTitles))], Grade: grade, Status: incident.Closed, Source: "manual",
			Visibility: vis, Services: []string{svc.Name}, Labels: map[string]string{}, CauseTags: []string{cause},
			Roles: map[incident.Role]string{incident.Resolver: resolver}, Members: []string{resolver},
			CreatedBy: resolver, StartedAt: start, DetectedAt: detected, AcknowledgedAt: &acked,
			MitigatedAt: &mitigated, ResolvedAt: &resolved, ClosedAt: &closed, CreatedAt: detected, UpdatedAt: closed,
		}
		// How it was found, spread over the ways without drawing from rng,
		// so the rest of the seeded year stays as it was: mostly monitoring.
		inc.Detection = historyDetections[(n*7+int(grade))%len(historyDetections)]
		events := []incident.Event{
			{At: detected, Actor: resolver, Kind: incident.EventDeclared, Data: map[string]any{"title": inc.Title}},
			{At: acked, Actor: resolver, Kind: incident.EventRoleAssigned, Data: map[string]any{"role": "resolver", "user": resolver}},
			{At: resolved, Actor: resolver, Kind: incident.EventStatusChanged, Data: map[string]any{"from": "identified", "to": "resolved"}},
			{At: closed, Actor: resolver, Kind: incident.EventStatusChanged, Data: map[string]any{"from": "resolved", "to": "closed"}},
		}
		if err := incs.CreateIncident(ctx, inc, events); err != nil {
			return fmt.Errorf("demo history: %w", err)
		}
		for _, p := range seen {
			if p.service == svc.Name && p.cause == cause && rng.IntN(3) == 0 {
				m := []review.Match{{EarlierID: p.id, Reason: "service_cause", Score: 1}}
				note := incident.Event{At: detected, Actor: "firebreak", Kind: incident.EventNote, Data: map[string]any{"text": "recurrence of " + incident.FormatRef(p.id)}}
				if _, err := reviews.SaveMatches(ctx, inc.ID, m, func([]review.Match) incident.Event { return note }); err != nil {
					return fmt.Errorf("demo history: %w", err)
				}
				break
			}
		}
		seen = append(seen, past{inc.ID, svc.Name, cause})
		if grade <= incident.SEV3 {
			if err := seedReview(ctx, reviews, rng, inc, people, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func seedReview(ctx context.Context, reviews HistoryReviews, rng *rand.Rand, inc *incident.Incident, people []string, now time.Time) error {
	resolved := *inc.ResolvedAt
	held := resolved.Add(time.Duration(2+rng.IntN(20)) * 24 * time.Hour)
	var heldAt *time.Time
	if held.Before(now) {
		heldAt = &held
	}
	note := func(at time.Time, text string) incident.Event {
		return incident.Event{At: at, Actor: people[0], Kind: incident.EventNote, Data: map[string]any{"text": text}}
	}
	r := &review.Retrospective{IncidentID: inc.ID, Stage: review.TeamStage, HeldAt: heldAt, Facilitator: people[0],
		Attendees: people, UpdatedBy: people[0], CreatedAt: resolved, UpdatedAt: held}
	if err := reviews.SaveRetrospective(ctx, r, note(held, "team review")); err != nil {
		return fmt.Errorf("demo history review: %w", err)
	}
	categories := []review.Category{review.Prevent, review.Detect, review.Handle}
	for i := range 1 + rng.IntN(3) {
		term := review.Short
		due := held.Add(14 * 24 * time.Hour)
		if rng.IntN(4) == 0 {
			term, due = review.Long, held.Add(90*24*time.Hour)
		}
		it := &review.ActionItem{IncidentID: inc.ID, Stage: review.TeamStage, Title: fmt.Sprintf("%s #%d", inc.Title, i+1),
			Category: categories[rng.IntN(3)], Term: term, Owner: people[rng.IntN(len(people))], DueAt: &due,
			Status: review.ItemOpen, CreatedBy: people[0], CreatedAt: held, UpdatedAt: held}
		if err := reviews.CreateItem(ctx, it, note(held, "action item")); err != nil {
			return fmt.Errorf("demo history item: %w", err)
		}
		// Most short-term items get done, a third of them late; long-term
		// ones linger, so the board and the stale count show something.
		doneAfter := time.Duration(3+rng.IntN(20)) * 24 * time.Hour
		if term == review.Long {
			doneAfter = time.Duration(30+rng.IntN(200)) * 24 * time.Hour
		}
		done := held.Add(doneAfter)
		if done.After(now) || rng.IntN(6) == 0 {
			continue
		}
		if _, err := reviews.UpdateItem(ctx, it.ID, func(x *review.ActionItem) (*incident.Event, bool, error) {
			x.Status, x.DoneAt, x.UpdatedAt = review.ItemDone, &done, done
			ev := note(done, "done")
			return &ev, false, nil
		}); err != nil {
			return fmt.Errorf("demo history item: %w", err)
		}
	}
	return nil
}

// historyDetections weights the ways past incidents were found: most by
// monitoring, then alarm mail, chat, and customers.
var historyDetections = []incident.Detection{
	incident.MonitoringAlert, incident.MonitoringAlert, incident.MonitoringAlert, incident.MonitoringAlert,
	incident.AlarmEmail, incident.AlarmEmail, incident.ChatReport, incident.ChatReport, incident.ExternalForm,
	incident.OtherDetection,
}
