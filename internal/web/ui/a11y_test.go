package ui

import (
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// TestColourContrast keeps the palette at WCAG AA: 4.5:1 for text on its
// background. The pairs are the ones the stylesheet puts together.
func TestColourContrast(t *testing.T) {
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"white": "#ffffff"}
	for _, m := range regexp.MustCompile(`--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	pairs := [][2]string{
		{"fg", "bg"}, {"muted", "bg"}, {"link", "bg"}, {"fg", "panel"}, {"muted", "panel"},
		{"white", "sev1"}, {"white", "sev2"}, {"white", "sev3"}, {"white", "sev4"}, {"white", "sev5"},
		{"sev1", "bg"}, {"sev2", "bg"}, {"sev4", "bg"}, {"ok", "bg"},
		{"warn-fg", "warn-bg"}, {"err-fg", "err-bg"},
	}
	for _, p := range pairs {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Fatalf("colour --%s or --%s missing from app.css", p[0], p[1])
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s on --%s: contrast %.2f:1, below 4.5:1", p[0], p[1], r)
		}
	}
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestPickLanguage(t *testing.T) {
	cases := []struct{ header, cookie, want string }{
		{"ko-KR,ko;q=0.9,en-US;q=0.8", "", "ko"},
		{"en-US,en;q=0.9,ko;q=0.8", "", "en"},
		{"fr-FR,ko;q=0.5", "", "ko"},
		{"de-DE", "", "en"},
		{"", "", "en"},
		{"ko-KR", "en", "en"}, // the switch wins over the browser
		{"en", "ko", "ko"},
		{"en;q=0.1,ko;q=0.4", "", "ko"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", c.header)
		if c.cookie != "" {
			r.Header.Set("Cookie", "lang="+c.cookie)
		}
		if got := pickLanguage(r); got != c.want {
			t.Errorf("Accept-Language %q, cookie %q: %s, want %s", c.header, c.cookie, got, c.want)
		}
	}
}

// TestEveryMessageHasBothLanguages keeps half-translated strings out.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	for key, m := range messages {
		for i, s := range m {
			if s == "" {
				t.Errorf("%s has no %s text", key, i18n.Languages[i])
			}
		}
	}
}
