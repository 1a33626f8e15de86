package demo

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
)

// SeedFlip flips the demo's express pay button off during the first demo
// incident (the slow payment approvals), so the switch pages show a flip
// with its reason. The switches themselves come from the demo config.
func SeedFlip(ctx context.Context, flags *flag.Service) error {
	admin := auth.User{Name: AdminName, Role: auth.Admin}
	_, _, err := flags.Flip(ctx, admin, "express-pay", flag.FlipRequest{To: "off", Incident: "INC-1",
		Reason: "간편결제가 느린 승인 경로를 탑니다 — express pay hits the slow approval path; off until ledger is rolled back"})
	if err != nil {
		return fmt.Errorf("demo flip: %w", err)
	}
	return nil
}
