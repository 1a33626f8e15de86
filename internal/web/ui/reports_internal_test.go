package ui

import (
	"testing"
	"time"
)

func TestShortAge(t *testing.T) {
	cases := []struct {
		d      time.Duration
		en, ko string
	}{
		{-time.Minute, "0m", "0분"},
		{59 * time.Second, "0m", "0분"},
		{42 * time.Minute, "42m", "42분"},
		{5*time.Hour + 59*time.Minute, "5h", "5시간"},
		{3*24*time.Hour + 23*time.Hour, "3d", "3일"},
	}
	for _, c := range cases {
		if got := shortAge(c.d, "en"); got != c.en {
			t.Errorf("shortAge(%v, en) = %q, want %q", c.d, got, c.en)
		}
		if got := shortAge(c.d, "ko"); got != c.ko {
			t.Errorf("shortAge(%v, ko) = %q, want %q", c.d, got, c.ko)
		}
	}
}
