// Package textrule holds the rules every piece of text must meet wherever
// it comes in — the API, web forms, webhooks, e-mail, Slack and the config
// file — so that one input path cannot store what another refuses.
//
// Text must be valid UTF-8 (never silently repaired: a replaced byte is a
// changed message), must hold no C0 control character or DEL (PostgreSQL
// cannot store NUL at all, and the others break terminals, logs and
// e-mail headers), except tab and newline in text that may span lines; and
// a title must hold no bidirectional override or isolate (U+202A–U+202E,
// U+2066–U+2069), which make a title read differently from what it says.
package textrule

import (
	"fmt"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Line checks one-line text: a name, a label, a tag.
func Line(field, s string) error { return check(field, s, false, false) }

// Title checks a title: one line, and no bidirectional controls.
func Title(field, s string) error { return check(field, s, false, true) }

// Text checks text that may span lines: a summary, a note, a report. Tab,
// newline, and a carriage return right before a newline (as browsers send
// a textarea) are allowed.
func Text(field, s string) error { return check(field, s, true, false) }

// Labels checks a map of labels: keys and values are one-line text.
func Labels(field string, labels map[string]string) error {
	for k, v := range labels {
		if err := Line(field, k); err != nil {
			return err
		}
		if err := Line(field+"."+k, v); err != nil {
			return err
		}
	}
	return nil
}

// Lines checks a list of one-line texts, naming the entry at fault.
func Lines(field string, xs []string) error {
	for i, x := range xs {
		if err := Line(fmt.Sprintf("%s[%d]", field, i), x); err != nil {
			return err
		}
	}
	return nil
}

// Problem says what is wrong with s, or "" when nothing is. It is the rule
// without a field name, for callers that report in their own form.
func Problem(s string, multiLine, title bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n':
			if !multiLine {
				return fmt.Sprintf("must be one line: holds %s at byte %d", name(r), i)
			}
		case r == '\r':
			if !multiLine || i+1 >= len(s) || s[i+1] != '\n' {
				return fmt.Sprintf("holds a control character (%s) at byte %d", name(r), i)
			}
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("holds a control character (%s) at byte %d", name(r), i)
		case title && isBidiControl(r):
			return fmt.Sprintf("holds a bidirectional control character (%U) at byte %d", r, i)
		}
	}
	return ""
}

func check(field, s string, multiLine, title bool) error {
	if p := Problem(s, multiLine, title); p != "" {
		return fail.Field(field, "%s", p)
	}
	return nil
}

// isBidiControl reports the embedding, override and isolate controls.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func name(r rune) string {
	switch r {
	case 0:
		return "NUL"
	case '\t':
		return "a tab"
	case '\n':
		return "a newline"
	case '\r':
		return "a carriage return"
	}
	return fmt.Sprintf("%U", r)
}
