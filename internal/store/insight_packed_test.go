package store

import (
	"testing"
	"time"
)

// TestPackedTime checks the hand-read times of packed rows against
// time.Parse, including the texts it leaves to time.Parse.
func TestPackedTime(t *testing.T) {
	for _, s := range []string{
		"2026-12-05T19:40:01.123456Z",
		"2024-02-29T00:00:00.000000Z",
		"1999-12-31T23:59:59.999999Z",
		"2026-12-05T19:40:01Z",        // another width: time.Parse
		"2026-12-05T19:40:01.5+09:00", // another zone: time.Parse
	} {
		got, err := packedTime(s)
		want, werr := time.Parse(time.RFC3339Nano, s)
		if err != nil || werr != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("packedTime(%q) = %v, %v; want %v", s, got, err, want.UTC())
		}
	}
	for _, s := range []string{"2026-04-31T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z", "2026-1x-01T00:00:00.000000Z", ""} {
		if got, err := packedTime(s); err == nil {
			t.Errorf("packedTime(%q) = %v, want an error", s, got)
		}
	}
}
