package api

import (
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// checkLang refuses a language Firebreak does not speak. "" is allowed: it
// means the caller's own (cookie, Accept-Language) or the default. An
// unknown value used to fall back to English in silence, which hid a typo
// ("kr" for "ko") behind a text in the wrong language.
func checkLang(field, lang string) error {
	if lang == "" || i18n.Known(lang) {
		return nil
	}
	return fail.Field(field, "must be %s (or absent); got %q", strings.Join(i18n.Languages, " or "), lang)
}

// checkQueryEnums checks the query parameters that mean the same on every
// route that reads them, before the route runs, so that no route can read
// one unchecked. Today that is lang; route-specific ones (status, grade,
// term, category, triage, format, by, group) are checked where read.
func checkQueryEnums(r *http.Request) error {
	q := r.URL.Query()
	for _, l := range q["lang"] {
		if err := checkLang("lang", l); err != nil {
			return err
		}
	}
	return nil
}
