package intake

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// A journal record holds one request's signals as intake prepared them.
// JSON was the first encoding; it cost as much CPU as reading the
// Alertmanager payload itself, so records are now written in a compact
// binary form: a version byte, then the signals. Records that start with
// '[' are JSON, written by an earlier Firebreak, and are still read.
const recordV1 = 1

// EncodeRecord encodes signals for the journal. It carries the fields
// intake sets before a signal is stored (see TestRecordCarriesEverySignalField).
func EncodeRecord(sigs []*Signal) []byte {
	b := make([]byte, 0, 64+len(sigs)*256)
	b = append(b, recordV1)
	b = binary.AppendUvarint(b, uint64(len(sigs)))
	for _, s := range sigs {
		b = appendString(b, s.Source)
		b = appendString(b, s.Fingerprint)
		b = appendString(b, string(s.Status))
		b = appendString(b, s.Title)
		b = appendString(b, s.Summary)
		b = appendString(b, s.Reporter)
		b = binary.AppendUvarint(b, uint64(len(s.Labels)))
		keys := make([]string, 0, len(s.Labels))
		for k := range s.Labels {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the same signals give the same bytes
		for _, k := range keys {
			b = appendString(b, k)
			b = appendString(b, s.Labels[k])
		}
		b = appendTime(b, s.StartsAt)
		if s.ResolvedAt != nil {
			b = append(b, 1)
			b = appendTime(b, *s.ResolvedAt)
		} else {
			b = append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(max(s.Count, 0)))
		b = appendTime(b, s.FirstSeen)
		b = appendTime(b, s.LastSeen)
	}
	return b
}

// DecodeRecord reads a record EncodeRecord wrote, or a JSON one.
func DecodeRecord(rec []byte) ([]*Signal, error) {
	if len(rec) > 0 && rec[0] == '[' {
		var sigs []*Signal
		if err := json.Unmarshal(rec, &sigs); err != nil {
			return nil, fmt.Errorf("journal record (JSON): %w", err)
		}
		return sigs, nil
	}
	if len(rec) == 0 || rec[0] != recordV1 {
		return nil, errors.New("journal record: unknown encoding")
	}
	r := reader{b: rec[1:]}
	n := r.count(minSignalBytes)
	sigs := make([]*Signal, 0, n)
	for range n {
		s := &Signal{Source: r.string(), Fingerprint: r.string(), Status: Status(r.string()), Title: r.string(),
			Summary: r.string(), Reporter: r.string()}
		labels := r.count(2)
		s.Labels = make(map[string]string, labels)
		for range labels {
			k := r.string()
			s.Labels[k] = r.string()
		}
		s.StartsAt = r.time()
		if r.byte() == 1 {
			t := r.time()
			s.ResolvedAt = &t
		}
		s.Count = int(r.count(0))
		s.FirstSeen, s.LastSeen = r.time(), r.time()
		sigs = append(sigs, s)
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("bytes after the last signal")
	}
	if r.err != nil {
		return nil, fmt.Errorf("journal record: %w", r.err)
	}
	return sigs, nil
}

// minSignalBytes is the least one encoded signal takes (six empty strings,
// no labels, three times of two bytes, a flag and a count), which bounds
// what a corrupt count can make DecodeRecord allocate.
const minSignalBytes = 6 + 1 + 3*2 + 1 + 1

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// reader reads a record, keeping the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated or corrupt at %s", what)
	}
	r.b = nil
}

func (r *reader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count of items that take at least each bytes apiece.
func (r *reader) count(each int) int {
	v := r.uvarint("a count")
	if each > 0 && v > uint64(len(r.b)/each) || v > math.MaxInt32 {
		r.fail("a count")
		return 0
	}
	return int(v)
}

func (r *reader) string() string {
	n := r.uvarint("a length")
	if n > uint64(len(r.b)) {
		r.fail("a string")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail("a flag")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) time() time.Time {
	sec, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("a time")
		return time.Time{}
	}
	r.b = r.b[n:]
	nsec := r.uvarint("a time")
	if nsec >= 1e9 {
		r.fail("a time")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
