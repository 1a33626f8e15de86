// Package journal is an append-only, fsync'd log of records on local disk.
// Intake writes each webhook batch to it and answers 2xx once the record is
// on disk; a single applier then moves records into the database in large
// transactions, recording how far it got in the same transaction, so a
// restart resumes exactly where the database left off.
//
// Appends of concurrent callers share one write and one fsync (see
// batch.Group), which is what makes a storm of small requests cheap: the
// database sees a few big transactions instead of many small serial ones.
//
// The log is a series of segment files named by the offset of their first
// byte. A record is framed as its length and CRC-32C (4 bytes each, little
// endian) followed by its bytes. Offsets are positions in the whole log.
package journal

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/firebreak-oss/firebreak/internal/batch"
)

const (
	header = 8
	// MaxRecord bounds one record; webhook bodies are far smaller.
	MaxRecord = 16 << 20
	// DefaultSegmentSize is when a new segment starts, so applied ones can
	// be deleted.
	DefaultSegmentSize = 64 << 20
	suffix             = ".journal"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Journal is an open log. Its methods are safe for concurrent use.
type Journal struct {
	// SegmentSize is the size from which appends go to a new segment; set
	// it before the first Append.
	SegmentSize int64

	id    string
	dir   string
	group batch.Group[[]byte]

	mu sync.Mutex
	f  *os.File // the segment appended to
	// allocated says f has its space: zeros after the last record, up to
	// SegmentSize.
	allocated bool
	bases     []int64 // every segment's first offset, ascending
	end       int64   // offset after the last durable record
	appended  chan struct{}
}

// idFile holds the log's identity, so that where it is applied can keep
// the offsets of several logs (one per replica) apart.
const idFile = "journal-id"

// ID returns the identity of the log in dir, creating the directory and
// the identity if need be.
func ID(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("journal: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, idFile))
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("journal: %w", err)
	}
	id := rand.Text()
	f, err := os.OpenFile(filepath.Join(dir, idFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("journal: %w", err)
	}
	_, err = f.WriteString(id + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return "", fmt.Errorf("journal: write its identity: %w", err)
	}
	return id, nil
}

// Open opens or creates the log in dir. from is the offset the reader has
// applied (kept by the caller under the log's ID, e.g. in the database): a
// new log starts there, and an existing one must reach it. A torn record
// at the end (a crash during a write) is cut off: it was never
// acknowledged.
func Open(dir string, from int64) (*Journal, error) {
	id, err := ID(dir)
	if err != nil {
		return nil, err
	}
	j := &Journal{SegmentSize: DefaultSegmentSize, id: id, dir: dir, appended: make(chan struct{})}
	j.group.Max = 1024
	j.group.Run = func(ctx context.Context, recs [][]byte) []error { return batch.Same(len(recs), j.write(recs)) }
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	for _, e := range entries {
		if base, ok := strings.CutSuffix(e.Name(), suffix); ok {
			n, err := strconv.ParseInt(base, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("journal: unexpected file %s", e.Name())
			}
			j.bases = append(j.bases, n)
		}
	}
	slices.Sort(j.bases)
	if len(j.bases) == 0 {
		if err := j.startSegment(from); err != nil {
			return nil, err
		}
		return j, nil
	}
	last := j.bases[len(j.bases)-1]
	f, err := os.OpenFile(j.path(last), os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	valid, err := validLength(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(valid); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: cut torn record: %w", err)
	}
	j.f, j.end = f, last+valid
	if j.end < from || j.bases[0] > from {
		f.Close()
		return nil, fmt.Errorf("journal: %s holds offsets %d to %d, but records up to %d are applied: it belongs to another database", dir, j.bases[0], j.end, from)
	}
	return j, nil
}

// ID returns the log's identity (see the package function ID).
func (j *Journal) ID() string { return j.id }

// validLength reads a segment's records and returns where the last whole
// one ends.
func validLength(f *os.File) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	r := &countingReader{r: f}
	for {
		at := r.n
		if _, err := readRecord(r); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errCorrupt) {
				return at, nil
			}
			return 0, fmt.Errorf("journal: read %s: %w", f.Name(), err)
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errCorrupt = errors.New("corrupt record")

func readRecord(r io.Reader) ([]byte, error) {
	var h [header]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n, sum := binary.LittleEndian.Uint32(h[:4]), binary.LittleEndian.Uint32(h[4:])
	if n == 0 || n > MaxRecord {
		// No record is empty: zeros are space a crash left unwritten.
		return nil, errCorrupt
	}
	rec := make([]byte, n)
	if _, err := io.ReadFull(r, rec); err != nil {
		return nil, err
	}
	if crc32.Checksum(rec, crcTable) != sum {
		return nil, errCorrupt
	}
	return rec, nil
}

func (j *Journal) path(base int64) string {
	return filepath.Join(j.dir, fmt.Sprintf("%020d%s", base, suffix))
}

// startSegment creates the segment beginning at base and makes its name
// durable.
func (j *Journal) startSegment(base int64) error {
	f, err := os.OpenFile(j.path(base), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(j.dir); err != nil {
		f.Close()
		return err
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.end, j.allocated = f, base, false
	j.bases = append(j.bases, base)
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}

// Append writes rec and returns once it is on disk. Concurrent appends
// share one write and one fsync.
func (j *Journal) Append(ctx context.Context, rec []byte) error {
	if len(rec) == 0 || len(rec) > MaxRecord {
		return fmt.Errorf("journal: a record of %d bytes: it must be 1 byte to %d", len(rec), MaxRecord)
	}
	return j.group.Do(ctx, rec)
}

// write appends one round's records with a single write and flush. On a
// failure the segment is cut back to where the round began, so no record
// of a failed round is ever read.
func (j *Journal) write(recs [][]byte) error {
	size := 0
	for _, r := range recs {
		size += header + len(r)
	}
	buf := make([]byte, 0, size)
	for _, r := range recs {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r)))
		buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(r, crcTable))
		buf = append(buf, r...)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("journal: closed")
	}
	if j.end-j.bases[len(j.bases)-1] >= j.SegmentSize {
		if err := j.startSegment(j.end); err != nil {
			return err
		}
	}
	start := j.end - j.bases[len(j.bases)-1]
	var err error
	if !j.allocated {
		// Zeros to the segment's size, made durable by this round's
		// flush; from then on a flush writes only the data.
		err = preallocate(j.f, j.SegmentSize)
		j.allocated = err == nil
	}
	if err == nil {
		_, err = j.f.WriteAt(buf, start)
	}
	if err == nil {
		err = syncData(j.f)
	}
	if err != nil {
		// Cut what may have been written and keep appending after it.
		if j.f.Truncate(start) == nil {
			j.allocated = false
		}
		return fmt.Errorf("journal: write: %w", err)
	}
	j.end += int64(size)
	close(j.appended)
	j.appended = make(chan struct{})
	return nil
}

// End returns the offset after the last durable record, and a channel
// closed when more is appended.
func (j *Journal) End() (int64, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.end, j.appended
}

// Read returns the records from offset from (a record boundary, such as
// an offset Read returned) up to about max bytes, never past the durable
// end, and the offset after them.
func (j *Journal) Read(from int64, max int) ([][]byte, int64, error) {
	j.mu.Lock()
	end := j.end
	i, _ := slices.BinarySearch(j.bases, from+1)
	if i == 0 {
		j.mu.Unlock()
		return nil, from, fmt.Errorf("journal: offset %d is before the first segment", from)
	}
	base := j.bases[i-1]
	segEnd := end
	if i < len(j.bases) {
		segEnd = j.bases[i]
	}
	j.mu.Unlock()
	if from >= segEnd {
		return nil, from, nil
	}
	f, err := os.Open(j.path(base))
	if err != nil {
		return nil, from, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(from-base, io.SeekStart); err != nil {
		return nil, from, fmt.Errorf("journal: %w", err)
	}
	r := io.LimitReader(f, segEnd-from)
	var recs [][]byte
	at, read := from, 0
	for at < segEnd && read < max {
		rec, err := readRecord(r)
		if err != nil {
			return recs, at, fmt.Errorf("journal: read at %d: %w", at, err)
		}
		recs = append(recs, rec)
		at += int64(header + len(rec))
		read += len(rec)
	}
	return recs, at, nil
}

// Release deletes the segments that hold only records before offset
// applied; the one being appended to stays.
func (j *Journal) Release(applied int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.bases) > 1 && j.bases[1] <= applied {
		if err := os.Remove(j.path(j.bases[0])); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("journal: %w", err)
		}
		j.bases = j.bases[1:]
	}
	return nil
}

// Close closes the segment file; later appends fail.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}
