package status

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// badLang answers 400 naming the lang parameter when it names a language
// the page is not written in, and reports whether it did. An unknown one
// used to show English in silence.
func badLang(w http.ResponseWriter, r *http.Request) bool {
	l := r.URL.Query().Get("lang")
	if l == "" || i18n.Known(l) {
		return false
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Bad Request", "status": http.StatusBadRequest,
		"field": "lang", "detail": "must be " + strings.Join(i18n.Languages, " or ") + " (or absent)"})
	return true
}
