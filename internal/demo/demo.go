// Package demo fills an empty Firebreak with sample users and incidents, so a
// first `firebreak serve --demo` shows something worth clicking.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// AdminName is the demo administrator's user name.
const AdminName = "demo-admin"

// Password is every demo user's web password. It is printed at start: the
// demo is for trying Firebreak out, never for real use.
const Password = "firebreak-demo"

// Seed creates the demo admin, one responder per catalog team member, and a
// few incidents, unless the demo admin exists already. It returns a new API
// token for the demo admin either way: tokens are shown once, so each start
// prints a fresh one.
func Seed(ctx context.Context, users *auth.Service, passwords *auth.Passwords, incidents *incident.Service, cat *catalog.Catalog, now time.Time) (token string, seeded bool, err error) {
	admin, err := users.AddUser(ctx, AdminName, "admin@example.com", auth.Admin)
	switch {
	case fail.CodeOf(err) == fail.Conflict:
		// Seeded before: only hand out a token.
	case err != nil:
		return "", false, err
	default:
		if err := seedData(ctx, users, passwords, incidents, cat, admin, now); err != nil {
			return "", false, err
		}
		seeded = true
	}
	token, _, err = users.CreateToken(ctx, AdminName, "demo", 0)
	return token, seeded, err
}

func seedData(ctx context.Context, users *auth.Service, passwords *auth.Passwords, incidents *incident.Service, cat *catalog.Catalog, admin auth.User, now time.Time) error {
	if err := passwords.SetPassword(ctx, AdminName, Password); err != nil {
		return err
	}
	seen := map[string]bool{AdminName: true}
	for _, team := range cat.Teams() {
		for _, m := range team.Members {
			if seen[m] {
				continue
			}
			seen[m] = true
			if _, err := users.AddUser(ctx, m, m+"@example.com", auth.Responder); err != nil {
				return fmt.Errorf("demo user %s: %w", m, err)
			}
			if err := passwords.SetPassword(ctx, m, Password); err != nil {
				return err
			}
		}
	}
	if err := grantDemoTeamRoles(ctx, users, cat); err != nil {
		return err
	}
	has := func(svc string) bool { _, ok := cat.Service(svc); return ok }
	for _, d := range samples(now) {
		ok := true
		for _, s := range d.decl.Services {
			ok = ok && has(s)
		}
		for _, u := range d.decl.Roles {
			ok = ok && seen[u]
		}
		if !ok {
			continue // a custom catalog without the demo's services
		}
		inc, err := incidents.Declare(ctx, admin, d.decl)
		if err != nil {
			return fmt.Errorf("demo incident %q: %w", d.decl.Title, err)
		}
		for _, n := range d.notes {
			if _, err := incidents.AddNote(ctx, admin, inc.ID, n); err != nil {
				return err
			}
		}
		for _, u := range d.updates {
			if _, err := incidents.PostUpdate(ctx, admin, inc.ID, u); err != nil {
				return err
			}
		}
		for _, st := range d.path {
			var err error
			if st == incident.Closed {
				// Closing waits for the review stages the grade requires;
				// the demo's closed incident was reviewed before it existed.
				_, err = incidents.CloseOverride(ctx, admin, inc.ID, "demo data: reviewed outside Firebreak")
			} else {
				_, err = incidents.SetStatus(ctx, admin, inc.ID, st, "")
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

type sample struct {
	decl    incident.Declaration
	notes   []string
	updates []incident.StatusUpdate
	path    []incident.Status
}

func samples(now time.Time) []sample {
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	return []sample{
		{
			// Six weeks ago, the same failure as today's push delay, told in
			// other words and tagged otherwise: recurrence links the two.
			decl: incident.Declaration{
				Title: "안드로이드 푸시 알림 지연 — Android push notifications late", Grade: incident.SEV3,
				Summary:  "오토스케일링 규칙이 푸시 워커 수를 줄여 알림 큐에 메시지가 쌓였고, 푸시가 최대 40분 늦게 도착했다.",
				Services: []string{"notification-worker"}, CauseTags: []string{"autoscaling"},
				StartedAt: at(42 * 24 * time.Hour), DetectedAt: at(42*24*time.Hour - 10*time.Minute),
				Detection: incident.MonitoringAlert, // the queue-depth alert, ten minutes in
				Roles:     map[incident.Role]string{incident.Resolver: "bob"},
			},
			path: []incident.Status{incident.Identified, incident.Resolved, incident.Closed},
		},
		{
			decl: incident.Declaration{
				Title: "결제 승인 지연 — Payment approvals slow", Grade: incident.SEV2,
				Summary:  "Card approvals take 4-8 s instead of 300 ms since the 14:05 ledger deploy. 카드 결제 승인이 4~8초 걸립니다.",
				Services: []string{"checkout-api", "ledger"}, CauseTags: []string{"deploy", "db-lock"},
				StartedAt: at(3 * time.Hour), DetectedAt: at(170 * time.Minute),
				Detection: incident.AlarmEmail, // the latency alarm mail, ten minutes after the deploy
				Roles:     map[incident.Role]string{incident.Resolver: "minji.kim", incident.Communicator: "jiwoo.han"},
			},
			notes: []string{"ledger 배포 후 row lock 대기 증가 확인. Rollback is safe: no schema change in this release.", "Rolled back ledger to v2.31.4; p99 back to 320 ms."},
			path:  []incident.Status{incident.Identified, incident.Monitoring, incident.Resolved},
		},
		{
			decl: incident.Declaration{
				Title: "Push notifications delayed on Android", Grade: incident.SEV3, Visibility: incident.Public,
				Services: []string{"notification-worker"}, CauseTags: []string{"capacity"},
				StartedAt: at(50 * time.Minute), DetectedAt: at(40 * time.Minute),
				Detection: incident.MonitoringAlert,
				Roles:     map[incident.Role]string{incident.Resolver: "bob", incident.Communicator: "carol"},
			},
			notes: []string{"Queue backlog at 1.2 M messages; scaling workers from 8 to 24."},
			updates: []incident.StatusUpdate{{Public: true,
				Text: "Android 푸시 알림이 최대 10분 늦게 도착하고 있습니다. 처리 용량을 늘리는 중입니다.\nPush notifications on Android arrive up to 10 minutes late; we are adding capacity."}},
			path: []incident.Status{incident.Identified},
		},
		{
			decl: incident.Declaration{
				Title: "로그인 실패율 증가 (Login failures up)", Grade: incident.SEV1,
				Summary:  "Token refresh fails for ~12% of mobile sessions.",
				Services: []string{"auth"}, StartedAt: at(12 * time.Minute), DetectedAt: at(9 * time.Minute),
				Detection: incident.ExternalForm, // customer support's tickets came first
				Roles:     map[incident.Role]string{incident.Resolver: "dave"},
			},
		},
		{
			decl: incident.Declaration{
				Title: "Suspicious admin logins", Grade: incident.SEV2, Visibility: incident.Restricted,
				Services: []string{"support-portal"}, CauseTags: []string{"security"},
				StartedAt: at(26 * time.Hour), DetectedAt: at(25 * time.Hour),
				Detection: incident.ChatReport, // a support agent asked in chat about a login they did not make
				Roles:     map[incident.Role]string{incident.Resolver: "frank", incident.Communicator: "jiwoo.han"},
			},
			path: []incident.Status{incident.Identified, incident.Resolved, incident.Closed},
		},
	}
}

// grantDemoTeamRoles gives each catalog team's members the responder role in
// it and its lead the manager role, so the demo shows team roles (the demo
// users stay organisation-wide responders, so every demo flow still works).
func grantDemoTeamRoles(ctx context.Context, users *auth.Service, cat *catalog.Catalog) error {
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	for _, team := range cat.Teams() {
		for _, m := range team.Members {
			role := auth.TeamResponder
			if m == team.Lead {
				role = auth.TeamManager
			}
			if _, err := users.SetTeamRole(ctx, op, m, team.Name, role); err != nil {
				return fmt.Errorf("demo team role of %s in %s: %w", m, team.Name, err)
			}
		}
	}
	return nil
}
