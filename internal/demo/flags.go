package demo

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// SeedFlip flips two demo switches during demo incidents, through the
// incident so each flip is on its timeline: express pay off during the
// first (slow payment approvals, now resolved: its page offers to flip it
// back), and the help centre's chat widget off during the closed
// suspicious-logins incident, never flipped back, so the "left flipped"
// list on /flags shows it on the first run. The switches themselves come
// from the demo config.
func SeedFlip(ctx context.Context, switches *flag.IncidentSwitches) error {
	admin := auth.User{Name: AdminName, Role: auth.Admin}
	flips := []struct{ ref, key, reason string }{
		{"INC-1", "express-pay", "간편결제가 느린 승인 경로를 탑니다 — express pay hits the slow approval path; off until ledger is rolled back"},
		{"INC-4", "agent-chat-widget", "채팅 위젯으로 관리자 세션 탈취 의심 — admin sessions may be hijacked through the chat widget; off while we look"},
	}
	for _, f := range flips {
		id, _ := incident.ParseRef(f.ref)
		if _, _, err := switches.Flip(ctx, admin, id, f.key, "off", f.reason); err != nil {
			return fmt.Errorf("demo flip of %s during %s: %w", f.key, f.ref, err)
		}
	}
	return nil
}
