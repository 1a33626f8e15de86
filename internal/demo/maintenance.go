package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// SeedMaintenance plans tonight's ledger database upgrade (public, so the
// status page shows it), a weekly patch slot on the support portal, and
// one active silence made from a noisy disk alert, whose next firing is
// then kept quiet: /maintenance shows all three kinds on the first run.
func SeedMaintenance(ctx context.Context, svc *maintenance.Service, in *intake.Intake, now time.Time) error {
	admin := auth.User{Name: AdminName, Role: auth.Admin}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		seoul = time.FixedZone("KST", 9*60*60)
	}
	local := now.In(seoul)
	tonight := time.Date(local.Year(), local.Month(), local.Day(), 23, 0, 0, 0, seoul)
	if !tonight.After(now) {
		tonight = tonight.AddDate(0, 0, 1)
	}
	windows := []maintenance.Window{
		{Title: "원장 DB 업그레이드 (PostgreSQL 17) · Ledger database upgrade", Services: []string{"ledger"},
			Reason:   "PostgreSQL 15 → 17; 쓰기가 최대 30분 멈출 수 있습니다 — writes may pause for up to 30 minutes",
			StartsAt: tonight, EndsAt: tonight.Add(2 * time.Hour), Public: true, Source: "ui"},
		{Title: "주간 보안 패치 · Weekly OS patching", Services: []string{"support-portal"},
			Reason:     "재부팅 중 헬스 체크 경보 — health checks fail while hosts reboot",
			Recurrence: &maintenance.Recurrence{Weekdays: []string{"tue", "thu"}, At: "03:00", Duration: "1h", Zone: "Asia/Seoul"}, Source: "ui"},
	}
	for _, w := range windows {
		if _, err := svc.CreateWindow(ctx, admin, w); err != nil {
			return fmt.Errorf("demo maintenance window %q: %w", w.Title, err)
		}
	}
	_, err = svc.CreateSilence(ctx, admin, maintenance.SilenceInput{
		Matchers: []maintenance.Matcher{
			{Name: "alertname", Op: maintenance.Equal, Value: "DiskSpaceLow"},
			{Name: "instance", Op: maintenance.Regexp, Value: "build-.*"},
		},
		Duration: "4h",
		Comment:  "빌드 러너 디스크 정리 중 — cleaning the build runners' disks; alerts expected until it is done",
	})
	if err != nil {
		return fmt.Errorf("demo silence: %w", err)
	}
	noisy := &intake.Signal{Source: "alertmanager", Title: "Disk space low on build-7",
		Labels: map[string]string{"alertname": "DiskSpaceLow", "instance": "build-7", "severity": "warning"}}
	return in.Accept(ctx, []*intake.Signal{noisy}, nil)
}
