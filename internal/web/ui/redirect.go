package ui

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// home is where a refused or missing redirect target leads.
const home = "/incidents"

// safeNext keeps redirects on this site: it returns next only when it is an
// absolute path on this origin, and home otherwise.
//
// Browsers strip tab, CR and LF from URLs and treat a backslash as a slash,
// so "/%09/evil.example" or "/\t/evil.example" becomes "//evil.example", a
// link to another host. A prefix check on the raw string is not enough:
// the target is judged both as written and after parsing (percent-decoded),
// and refused if either holds a control character, whitespace, a backslash,
// a leading "//", or a scheme, host or user.
func safeNext(next string) string {
	if !plainPath(next) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if !plainPath(u.Path) {
		return home
	}
	return next
}

// plainPath reports whether p starts with exactly one slash and holds no
// control character, whitespace, backslash or invalid UTF-8.
func plainPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
