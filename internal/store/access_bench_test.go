package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// BenchmarkAuthenticate is what every API request pays to turn its token into
// a user with team roles: the token lookup by hash and the team roles query
// (last_used_at is written at most once a minute, so not here).
func BenchmarkAuthenticate(b *testing.B) {
	for _, c := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", testutil.SQLiteURL}, {"postgres", testutil.PostgresURL}} {
		b.Run(c.name, func(b *testing.B) {
			db := testutil.OpenStore(b, c.url(b))
			ctx := context.Background()
			svc := auth.NewService(db.Users(), time.Now)
			if _, err := svc.AddUser(ctx, "kim", "", auth.Viewer); err != nil {
				b.Fatal(err)
			}
			op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
			for _, team := range []string{"payments", "platform", "support"} {
				if _, err := svc.SetTeamRole(ctx, op, "kim", team, auth.TeamResponder); err != nil {
					b.Fatal(err)
				}
			}
			secret, _, err := svc.CreateToken(ctx, "kim", "bench", 0)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				u, err := svc.Authenticate(ctx, secret)
				if err != nil || len(u.Teams) != 3 {
					b.Fatal(err, u.Teams)
				}
			}
		})
	}
}
