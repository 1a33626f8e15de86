// Package i18n is what Firebreak's Korean-and-English pages share: the
// languages, choosing one for a request, and looking messages up.
package i18n

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Languages are those Firebreak speaks; the first is the fallback.
var Languages = []string{"en", "ko"}

// Index returns the position of lang in Languages, or 0 (the fallback).
func Index(lang string) int {
	for i, l := range Languages {
		if l == lang {
			return i
		}
	}
	return 0
}

// Known reports whether Firebreak speaks lang.
func Known(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Messages holds a page's strings as {English, Korean}, in the order of
// Languages.
type Messages map[string][2]string

// T returns the message for key in the language at idx, formatted with
// args. A missing key shows itself, so it is easy to spot in a screenshot.
func (m Messages) T(idx int, key string, args ...any) string {
	msg, ok := m[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg[idx]
	}
	return fmt.Sprintf(msg[idx], args...)
}

// Pick chooses a language for a request: the first known of the explicit
// choices (a parameter, a field), then the lang cookie the language switch
// sets, then the browser's Accept-Language, then the fallback.
func Pick(r *http.Request, explicit ...string) string {
	for _, l := range explicit {
		if Known(l) {
			return l
		}
	}
	if c, err := r.Cookie("lang"); err == nil && Known(c.Value) {
		return c.Value
	}
	type choice struct {
		lang string
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if Known(base) && q > 0 {
			choices = append(choices, choice{base, q})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	if len(choices) > 0 {
		return choices[0].lang
	}
	return Languages[0]
}
