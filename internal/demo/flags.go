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
// from the demo config. first is the id of the first live demo incident
// (the year of history, when seeded first, comes before it).
func SeedFlip(ctx context.Context, switches *flag.IncidentSwitches, first int64) error {
	admin := auth.User{Name: AdminName, Role: auth.Admin}
	flips := []struct {
		nth         int64 // 0: the first live demo incident (demo.go samples, in order)
		key, reason string
	}{
		{1, "express-pay", "간편결제가 느린 승인 경로를 탑니다 — express pay hits the slow approval path; off until ledger is rolled back"},
		{4, "agent-chat-widget", "채팅 위젯으로 관리자 세션 탈취 의심 — admin sessions may be hijacked through the chat widget; off while we look"},
	}
	for _, f := range flips {
		id := first + f.nth
		if _, _, err := switches.Flip(ctx, admin, id, f.key, "off", f.reason); err != nil {
			return fmt.Errorf("demo flip of %s during %s: %w", f.key, incident.FormatRef(id), err)
		}
	}
	return nil
}
