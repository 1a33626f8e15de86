package flag

import "testing"

func TestCompareVersions(t *testing.T) {
	// Each version is below the next: semver.org's own example order.
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1", "1.1", "1.10.0", "2.0.0+build.7", "10.0.0"}
	for i := range order {
		for j := range order {
			a, ok1 := parseVersion(order[i])
			b, ok2 := parseVersion(order[j])
			if !ok1 || !ok2 {
				t.Fatalf("parse %q or %q failed", order[i], order[j])
			}
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareVersions(a, b); got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

func TestParseVersionRefuses(t *testing.T) {
	for _, s := range []string{"", "v", "1.2.3.4", "01.2.3", "1.x.3", "1.2.3-", "1.2.3-a..b", "ios", "-1.0.0"} {
		if _, ok := parseVersion(s); ok {
			t.Errorf("parseVersion(%q) accepted", s)
		}
	}
}
