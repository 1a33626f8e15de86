package api

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// reportShares lists the report's shares, newest first, each with every
// recipient's delivery as the outbox knows it (queued, delivered, failed
// with the reason), so a client never takes "shared" for "delivered".
func (a *API) reportShares(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	shares, err := a.Reports.Shares(r.Context(), u, id)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	for i := range shares {
		withReasonText(&shares[i], lang)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": shares})
	return nil
}

// withReasonText says each failure of a share in words in lang, beside
// the raw reason.
func withReasonText(sh *report.Share, lang string) {
	if sh.Deliveries == nil {
		sh.Deliveries = []report.Delivery{}
	}
	for i, d := range sh.Deliveries {
		sh.Deliveries[i].ReasonText = notify.FailureText(d.Reason, lang)
	}
}
