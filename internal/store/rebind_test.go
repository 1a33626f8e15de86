package store

import "testing"

func TestRebindBindsByPosition(t *testing.T) {
	sqlite, postgres := &DB{Dialect: SQLite}, &DB{Dialect: Postgres}
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"WHERE a = $1 AND b = $2", "WHERE a = ? AND b = ?"},
		{"VALUES ($1, $2), ($10, $123)", "VALUES (?, ?), (?, ?)"},
		{"SELECT $1::bigint", "SELECT ?::bigint"},
		{"$1", "?"},
		{"price $ and $x and a$", "price $ and $x and a$"}, // a $ without digits is not a placeholder
		{"서비스 = $1", "서비스 = ?"},
	} {
		if got := sqlite.rebind(c.in); got != c.want {
			t.Errorf("SQLite rebind(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := postgres.rebind(c.in); got != c.in {
			t.Errorf("PostgreSQL rebind(%q) = %q, want it unchanged", c.in, got)
		}
	}
}
