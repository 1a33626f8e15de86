package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
)

// SeedChanges records a day of changes to the demo services, so the
// incident pages show recent changes from the first start: among them a
// pull request labelled 롤백불가 (a schema change) carried by the auth deploy
// an hour before the open login incident, a config change that lands during
// the open push-notification incident, and a release of a repository the
// catalog does not know, left for an admin to map. Changes of services the
// catalog lacks are skipped (a custom catalog), except that one.
func SeedChanges(ctx context.Context, changes *change.Service, cat *catalog.Catalog, now time.Time) error {
	if changes == nil {
		return nil
	}
	for i, c := range demoChanges(now) {
		if len(c.Services) > 0 && !cat.ServiceExists(c.Services[0]) {
			continue
		}
		c.Source, c.ExternalID = change.SourceDemo, fmt.Sprintf("demo-%d", i+1)
		if _, err := changes.Record(ctx, &c); err != nil {
			return fmt.Errorf("demo change %q: %w", c.Title, err)
		}
	}
	return nil
}

func demoChanges(now time.Time) []change.Change {
	at := func(d time.Duration) time.Time { return now.Add(-d) }
	pr := func(repo string, n int) []change.Link {
		return []change.Link{{Title: fmt.Sprintf("PR #%d", n), URL: fmt.Sprintf("https://github.com/%s/pull/%d", repo, n)}}
	}
	run := func(n int) change.Link {
		return change.Link{Title: "pipeline", URL: fmt.Sprintf("https://ci.example.com/runs/%d", n)}
	}
	// Oldest first: a deploy inherits the verdict of the PRs merged before it.
	return []change.Change{
		{Kind: change.KindDeploy, Services: []string{"auth"}, Repository: "acme/auth", Version: "v5.7.2", Title: "auth v5.7.2",
			Author: "dave", At: at(23 * time.Hour), Environment: "production", Links: []change.Link{run(7701)}},
		{Kind: change.KindDeploy, Services: []string{"checkout-api"}, Repository: "acme/shop", Version: "v2.13.0", Title: "checkout v2.13.0",
			Author: "minji.kim", At: at(20 * time.Hour), Environment: "production", Links: []change.Link{run(7712)}},
		{Kind: change.KindDeploy, Services: []string{"ledger"}, Repository: "acme/ledger", Version: "v2.31.4", Title: "ledger v2.31.4",
			Author: "minji.kim", At: at(19 * time.Hour), Environment: "production"},
		{Kind: change.KindDeploy, Services: nil, Repository: "acme/data-pipeline", Version: "v0.9.0", Title: "data-pipeline v0.9.0 (unknown repository)",
			Author: "frank", At: at(6 * time.Hour)},
		{Kind: change.KindCode, Services: []string{"checkout-api"}, Repository: "acme/shop", Title: "쿠폰 적용 순서 수정 (coupon order fix)",
			Author: "minji.kim", At: at(5 * time.Hour), Labels: []string{"bug"}, Links: pr("acme/shop", 118)},
		{Kind: change.KindDeploy, Services: []string{"checkout-api"}, Repository: "acme/shop", Version: "v2.14.0", Title: "checkout v2.14.0",
			Author: "minji.kim", At: at(4*time.Hour + 30*time.Minute), Environment: "production", Links: []change.Link{run(7730)}},
		{Kind: change.KindDeploy, Services: []string{"ledger"}, Repository: "acme/ledger", Version: "v2.32.0", Title: "ledger v2.32.0: journal batching",
			Author: "minji.kim", At: at(3*time.Hour + 10*time.Minute), Environment: "production", Links: []change.Link{run(7741)}},
		{Kind: change.KindCode, Services: []string{"auth"}, Repository: "acme/auth", Title: "sessions 테이블 스키마 변경: refresh_token 컬럼 분리 (schema change)",
			Author: "dave", At: at(2 * time.Hour), Labels: []string{"database", "롤백불가"}, Links: pr("acme/auth", 342)},
		{Kind: change.KindMigration, Services: []string{"auth"}, Repository: "acme/auth", Title: "migrate sessions: split refresh_token",
			Author: "dave", At: at(50 * time.Minute), Environment: "production"},
		{Kind: change.KindDeploy, Services: []string{"auth"}, Repository: "acme/auth", Version: "v5.8.0", Title: "auth v5.8.0",
			Author: "dave", At: at(45 * time.Minute), Environment: "production", Links: []change.Link{run(7755)}},
		{Kind: change.KindConfig, Services: []string{"notification-worker"}, Repository: "acme/messaging", Title: "worker concurrency 8 → 24",
			Author: "bob", At: at(35 * time.Minute), Environment: "production"},
		{Kind: change.KindFlag, Services: []string{"messaging-gateway"}, Title: "kakao_fallback_to_sms: on",
			Author: "carol", At: at(30 * time.Minute)},
	}
}
