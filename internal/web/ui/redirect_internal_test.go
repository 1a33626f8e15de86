package ui

import "testing"

// TestSafeNext: only same-origin absolute paths survive; every trick that
// a browser turns into another host falls back to the incident list.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/incidents/INC-4":              "/incidents/INC-4",
		"/reports?q=%EA%B2%B0%EC%A0%9C": "/reports?q=%EA%B2%B0%EC%A0%9C",
		"/search?q=a%20b":               "/search?q=a%20b",
		"":                              home,
		"incidents":                     home,
		"//evil.example":                home,
		"/%09/evil.example":             home,
		"/%0a/evil.example":             home,
		"/%0d/evil.example":             home,
		"/%0D%0A/evil.example":          home,
		"/\t/evil.example":              home,
		"/\n/evil.example":              home,
		"/ /evil.example":               home,
		"/%20/evil.example":             home,
		"/%2F/evil.example":             home,
		"/%5C/evil.example":             home,
		`/\evil.example`:                home,
		`\/evil.example`:                home,
		"https://evil.example/":         home,
		"javascript:alert(1)":           home,
		"/%00":                          home,
		"/\u202e/x":                     home,
		"/%E2%80%AE/x":                  home,
		"/\xff":                         home,
		"/%ff":                          home,
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
