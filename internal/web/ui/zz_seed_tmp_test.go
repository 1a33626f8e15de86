package ui_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func BenchmarkZZSeedCopy(b *testing.B) {
	srv, _ := testutil.BenchSite(b, testutil.SQLiteURL(b))
	seedInsightsBench(b, srv.DB, time.Now())
	os.Remove("/tmp/w6ins/bench.db")
	if _, err := srv.DB.SQL.ExecContext(context.Background(), "VACUUM INTO '/tmp/w6ins/bench.db'"); err != nil {
		b.Fatal(err)
	}
}
