package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestSessionLifetime: use keeps a session alive past its idle time, but not
// past its maximum age; sign-out ends it at once.
func TestSessionLifetime(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		users := auth.NewService(db.Users(), clock)
		u, err := users.AddUser(ctx, "kim", "", auth.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		pw := auth.NewPasswords(db.Users(), clock)
		secret, _, err := pw.StartSession(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		signedIn := now
		for now.Add(11 * time.Hour).Before(signedIn.Add(auth.SessionMaxAge)) { // used every 11 hours for almost a week
			now = now.Add(11 * time.Hour)
			if _, _, err := pw.Session(ctx, secret); err != nil {
				t.Fatalf("in use at %s: %v", now, err)
			}
		}
		now = now.Add(11 * time.Hour) // past seven days since sign-in
		if _, _, err := pw.Session(ctx, secret); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("a week-old session: %v", err)
		}
		idle, _, _ := pw.StartSession(ctx, u)
		now = now.Add(auth.SessionTTL + time.Minute)
		if _, _, err := pw.Session(ctx, idle); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("an idle session: %v", err)
		}
		out, _, _ := pw.StartSession(ctx, u)
		if err := pw.SignOut(ctx, out); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pw.Session(ctx, out); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("after sign-out: %v", err)
		}
	})
}
