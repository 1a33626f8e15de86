package journal_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake/journal"
)

// BenchmarkConcurrentAppends measures the journal alone: 8 writers
// appending 500-byte records (about one alert), each waiting for its fsync.
// FIREBREAK_BENCH_JOURNAL_DIR puts the log elsewhere (e.g. on tmpfs, to
// see what the disk's flushes cost).
func BenchmarkConcurrentAppends(b *testing.B) {
	dir := os.Getenv("FIREBREAK_BENCH_JOURNAL_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	j, err := journal.Open(dir, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	rec := make([]byte, 500)
	const writers = 8
	var wg sync.WaitGroup
	b.ResetTimer()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range b.N / writers {
				if err := j.Append(context.Background(), rec); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N/writers*writers)/b.Elapsed().Seconds(), "appends/s")
}
