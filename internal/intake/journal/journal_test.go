package journal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake/journal"
)

// readAll reads every record from offset from to the durable end.
func readAll(t *testing.T, j *journal.Journal, from int64) ([]string, int64) {
	t.Helper()
	var out []string
	for {
		end, _ := j.End()
		if from >= end {
			return out, from
		}
		recs, next, err := j.Read(from, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if next == from {
			t.Fatalf("no progress at %d (end %d)", from, end)
		}
		for _, r := range recs {
			out = append(out, string(r))
		}
		from = next
	}
}

// crashLeaves writes junk after the last record of the first segment (at
// offset end), as a crash mid-write can.
func crashLeaves(t *testing.T, dir string, end int64, junk []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%020d.journal", 0)), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(junk, end); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentAppendsAreAllRead(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.SegmentSize = 1000 // several segments
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := j.Append(context.Background(), fmt.Appendf(nil, "w%d-%02d", w, i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	recs, end := readAll(t, j, 0)
	if len(recs) != 400 {
		t.Fatalf("read %d records, want 400", len(recs))
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r] = true
	}
	if len(seen) != 400 {
		t.Fatalf("%d distinct records, want 400", len(seen))
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	if len(segs) < 3 {
		t.Fatalf("%d segments, want rotation past 1000 bytes", len(segs))
	}
	// Releasing everything applied keeps only the segment appended to.
	if err := j.Release(end); err != nil {
		t.Fatal(err)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(segs) != 1 {
		t.Fatalf("after release: %v", segs)
	}
	// ...and appending and reading go on after it.
	if err := j.Append(context.Background(), []byte("after")); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readAll(t, j, end); len(recs) != 1 || recs[0] != "after" {
		t.Fatalf("after release: %q", recs)
	}
}

// TestReopenCutsATornRecord: a crash in the middle of a write leaves part
// of a record; reopening cuts it off (it was never acknowledged), keeps
// every whole record and appends after them.
func TestReopenCutsATornRecord(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"one", "two", "three"} {
		if err := j.Append(context.Background(), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	end, _ := j.End()
	j.Close()
	crashLeaves(t, dir, end, []byte{200, 0, 0, 0, 1, 2, 3, 4, 'p', 'a', 'r'}) // says 200 bytes, has 3

	j, err = journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Append(context.Background(), []byte("four")); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readAll(t, j, 0); fmt.Sprint(recs) != "[one two three four]" {
		t.Fatalf("after reopen: %q", recs)
	}
}

// TestOpenChecksTheAppliedOffset: a new log starts where the database's
// applied offset is, and a log that ends before it is refused, naming the
// offsets, rather than writing records the applier would skip.
func TestOpenChecksTheAppliedOffset(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if end, _ := j.End(); end != 5000 {
		t.Fatalf("new log starts at %d, want 5000", end)
	}
	if err := j.Append(context.Background(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readAll(t, j, 5000); len(recs) != 1 {
		t.Fatalf("read %q", recs)
	}
	j.Close()
	if _, err := journal.Open(dir, 9000); err == nil {
		t.Fatal("a log ending at 5009 opened for an applied offset of 9000")
	}
}

// TestZerosAfterTheLastRecordAreNotRecords: space a crash left unwritten
// (zeros, which would read as an empty record with a matching checksum) is
// cut off like a torn record; the log keeps its identity across reopening;
// an empty record is refused.
func TestZerosAfterTheLastRecordAreNotRecords(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := j.ID()
	if err := j.Append(context.Background(), nil); err == nil {
		t.Fatal("an empty record was taken")
	}
	if err := j.Append(context.Background(), []byte("one")); err != nil {
		t.Fatal(err)
	}
	end, _ := j.End()
	j.Close()
	crashLeaves(t, dir, end, make([]byte, 64))

	j, err = journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.ID() != id || id == "" {
		t.Fatalf("identity %q after reopening, was %q", j.ID(), id)
	}
	if end, _ := j.End(); end != 8+3 {
		t.Fatalf("log ends at %d after reopening, want 11", end)
	}
	if err := j.Append(context.Background(), []byte("two")); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readAll(t, j, 0); fmt.Sprint(recs) != "[one two]" {
		t.Fatalf("after reopen: %q", recs)
	}
}

// TestSegmentsHaveTheirSpaceUpFront: on Linux a segment gets its space
// (zeros) with its first write, so that a round's flush writes data, not
// the file's size; reopening still finds the records' end, not the file's,
// and appends after it, across a segment change.
func TestSegmentsHaveTheirSpaceUpFront(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	j.SegmentSize = 4096
	for _, r := range []string{"one", "two"} {
		if err := j.Append(context.Background(), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	end, _ := j.End()
	j.Close()
	first := filepath.Join(dir, fmt.Sprintf("%020d.journal", 0))
	fi, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && fi.Size() != 4096 {
		t.Fatalf("segment of %d bytes holding %d bytes of records, want 4096 allocated", fi.Size(), end)
	}

	j, err = journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.SegmentSize = 4096
	if got, _ := j.End(); got != end {
		t.Fatalf("reopened log ends at %d, want %d", got, end)
	}
	big := strings.Repeat("x", 5000) // fills the first segment past its size
	for _, r := range []string{"three", big, "four"} {
		if err := j.Append(context.Background(), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := readAll(t, j, 0)
	if len(recs) != 5 || recs[2] != "three" || recs[3] != big || recs[4] != "four" {
		t.Fatalf("records after reopening: %d, %.20q", len(recs), recs)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(segs) != 2 {
		t.Fatalf("segments: %v", segs)
	}
}
