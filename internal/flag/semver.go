package flag

import (
	"strconv"
	"strings"
)

// version is a semantic version as semver.org 2.0.0 defines it. Build
// metadata is dropped: it takes no part in precedence.
type version struct {
	major, minor, patch uint64
	pre                 []string
}

// parseVersion reads "1.2.3", "v1.2.3-rc.1+build.5". Apps often send a
// shortened "5.2" for "5.2.0", so missing minor and patch count as zero.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	s, _, _ = strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 || core == "" {
		return version{}, false
	}
	var nums [3]uint64
	for i, p := range parts {
		n, ok := numeric(p)
		if !ok {
			return version{}, false
		}
		nums[i] = n
	}
	v := version{major: nums[0], minor: nums[1], patch: nums[2]}
	if hasPre {
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if id == "" {
				return version{}, false
			}
		}
	}
	return v, true
}

// numeric parses a numeric identifier: digits only, no leading zero.
func numeric(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// compareVersions orders a and b by semver precedence: -1, 0 or 1.
func compareVersions(a, b version) int {
	for _, c := range [][2]uint64{{a.major, b.major}, {a.minor, b.minor}, {a.patch, b.patch}} {
		if c[0] != c[1] {
			return cmp3(c[0] < c[1])
		}
	}
	// A pre-release sorts before its release: 1.0.0-rc.1 < 1.0.0.
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := comparePre(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	// More identifiers win when all before are equal: alpha < alpha.1.
	switch {
	case len(a.pre) < len(b.pre):
		return -1
	case len(a.pre) > len(b.pre):
		return 1
	}
	return 0
}

func cmp3(less bool) int {
	if less {
		return -1
	}
	return 1
}

// comparePre orders two pre-release identifiers: numbers by value, below
// any alphanumeric one, and those in ASCII order.
func comparePre(a, b string) int {
	an, aNum := numeric(a)
	bn, bNum := numeric(b)
	switch {
	case aNum && bNum:
		if an == bn {
			return 0
		}
		return cmp3(an < bn)
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return strings.Compare(a, b)
}
