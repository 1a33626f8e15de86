package auth_test

import (
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
)

func TestLoginLimiter(t *testing.T) {
	l := auth.NewLoginLimiter(3, 10*time.Minute)
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if blocked, _ := l.Blocked(t0, "addr:1", "name:kim"); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail(t0.Add(time.Duration(i)*time.Minute), "addr:1", "name:kim")
	}
	blocked, wait := l.Blocked(t0.Add(3*time.Minute), "addr:2", "name:kim")
	if !blocked || wait != 7*time.Minute {
		t.Fatalf("the name's fourth try from another address: blocked %v, wait %v", blocked, wait)
	}
	if blocked, _ := l.Blocked(t0.Add(3*time.Minute), "addr:2", "name:lee"); blocked {
		t.Fatal("another name from another address is blocked")
	}
	if blocked, _ := l.Blocked(t0.Add(10*time.Minute), "addr:1", "name:kim"); blocked {
		t.Fatal("still blocked once the first failure left the window")
	}
	l.Succeed("name:kim")
	if blocked, _ := l.Blocked(t0.Add(3*time.Minute), "name:kim"); blocked {
		t.Fatal("a success did not clear the name")
	}
}

func TestScopes(t *testing.T) {
	session := auth.User{Name: "s"}
	write := auth.User{Name: "w", Scopes: []auth.Scope{auth.ScopeWrite}}
	intake := auth.User{Name: "i", Scopes: []auth.Scope{auth.ScopeIntake}}
	for _, tc := range []struct {
		u    auth.User
		s    auth.Scope
		want bool
	}{
		{session, auth.ScopeRead, true}, {session, auth.ScopeWrite, true}, {session, auth.ScopeIntake, false},
		{write, auth.ScopeRead, true}, {write, auth.ScopeIntake, false},
		{intake, auth.ScopeRead, false}, {intake, auth.ScopeIntake, true},
	} {
		if got := tc.u.HasScope(tc.s); got != tc.want {
			t.Errorf("%s.HasScope(%s) = %v", tc.u.Name, tc.s, got)
		}
	}
	if _, ok := auth.ParseScopes("read, write"); !ok {
		t.Error("read, write refused")
	}
	if _, ok := auth.ParseScopes("read,admin"); ok {
		t.Error("admin accepted as a scope")
	}
}
