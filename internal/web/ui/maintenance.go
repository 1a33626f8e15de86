package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// maintenanceRoutes serve maintenance windows and silences: the list of
// both for everyone signed in, the forms for those who may change them,
// and the "silence this" form on each triage signal.
func (u *UI) maintenanceRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	if u.Maintenance == nil {
		return
	}
	signedIn("GET /maintenance", u.maintenancePage)
	signedIn("POST /maintenance", u.createWindow)
	signedIn("POST /maintenance/{id}/end", u.endWindow)
	signedIn("POST /silences", u.createSilence)
	signedIn("POST /silences/{id}/end", u.endSilence)
}

type maintenancePage struct {
	Windows    []windowRow
	All        bool
	Silences   []maintenance.Silence
	Expired    []maintenance.Silence
	Suppressed []*intake.Signal
	Form       url.Values
	Error      string
	Weekdays   []string
	CanPlan    bool // an admin or a manager of some team
	CanSilence bool
}

// windowRow is a window with what the page says of it now.
type windowRow struct {
	maintenance.Window
	Active bool
	Next   *maintenance.Interval
}

func formatHours(d time.Duration, lang string) string {
	if d < time.Hour {
		if lang == "ko" {
			return strconv.Itoa(int(d.Minutes())) + "분"
		}
		return strconv.Itoa(int(d.Minutes())) + " min"
	}
	if lang == "ko" {
		return strconv.Itoa(int(d.Hours())) + "시간"
	}
	return strconv.Itoa(int(d.Hours())) + " h"
}

func (u *UI) maintenancePage(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderMaintenance(w, r, v, url.Values{}, nil)
}

func (u *UI) renderMaintenance(w http.ResponseWriter, r *http.Request, v *view, form url.Values, formErr error) {
	ctx := r.Context()
	all := r.URL.Query().Get("all") == "1"
	ws, err := u.Maintenance.ListWindows(ctx, all, 0, 100)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	active, err := u.Maintenance.ListSilences(ctx, false, 0, 100)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	expired, err := u.Maintenance.ListSilences(ctx, true, 0, 20)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	quiet, err := u.Maintenance.SuppressedSignals(ctx, 0, 20)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := maintenancePage{All: all, Silences: active, Expired: expired, Suppressed: quiet, Form: form,
		Weekdays:   []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
		CanPlan:    v.User.IsAdmin() || slices.ContainsFunc(v.User.Teams, func(m auth.Membership) bool { return m.Role == auth.TeamManager }),
		CanSilence: v.User.RespondsAnywhere()}
	for _, win := range ws {
		row := windowRow{Window: win}
		_, row.Active = win.ActiveAt(v.Now)
		if next, ok := win.Next(v.Now); ok {
			row.Next = &next
		}
		p.Windows = append(p.Windows, row)
	}
	sort.SliceStable(p.Windows, func(i, j int) bool { return p.Windows[i].Active && !p.Windows[j].Active })
	if formErr != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, formErr); !ok {
			return
		}
	}
	u.render(w, r, "maintenance", v, p)
}

// lines splits a textarea or comma list into its non-empty items.
func lines(s string, commas bool) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || (commas && r == ',') }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// localTime reads a datetime-local field in the viewer's zone.
func localTime(field, s string, zone *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, zone)
	if err != nil {
		return time.Time{}, fail.Field(field, "%q is not a date and time", s)
	}
	return t, nil
}

func (u *UI) createWindow(w http.ResponseWriter, r *http.Request, v *view) {
	in, err := windowForm(r, v)
	if err == nil {
		_, err = u.Maintenance.CreateWindow(r.Context(), v.User, in.Window("ui"))
	}
	if err != nil {
		u.renderMaintenance(w, r, v, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/maintenance", http.StatusSeeOther)
}

func windowForm(r *http.Request, v *view) (maintenance.WindowInput, error) {
	in := maintenance.WindowInput{Title: r.PostFormValue("title"), Reason: r.PostFormValue("reason"),
		Services: lines(r.PostFormValue("services"), true), Public: r.PostFormValue("public") == "on"}
	var err error
	if in.Matchers, err = maintenance.ParseMatchers("matchers", lines(r.PostFormValue("matchers"), false)); err != nil {
		return in, err
	}
	if days := r.PostForm["weekdays"]; len(days) > 0 {
		in.Recurrence = &maintenance.Recurrence{Weekdays: days, At: r.PostFormValue("at"), Duration: r.PostFormValue("duration"),
			Zone: r.PostFormValue("zone")}
		return in, nil
	}
	if in.StartsAt, err = localTime("starts_at", r.PostFormValue("starts_at"), v.Zone); err != nil {
		return in, err
	}
	in.EndsAt, err = localTime("ends_at", r.PostFormValue("ends_at"), v.Zone)
	return in, err
}

func formID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return max(id, 0)
}

func (u *UI) endWindow(w http.ResponseWriter, r *http.Request, v *view) {
	if _, err := u.Maintenance.EndWindow(r.Context(), v.User, formID(r)); err != nil {
		u.renderMaintenance(w, r, v, url.Values{}, err)
		return
	}
	http.Redirect(w, r, "/maintenance", http.StatusSeeOther)
}

// createSilence takes the triage card's form: matchers (prefilled from the
// signal's labels, editable), a duration and the required comment.
func (u *UI) createSilence(w http.ResponseWriter, r *http.Request, v *view) {
	in := maintenance.SilenceInput{Duration: r.PostFormValue("duration"), Comment: r.PostFormValue("comment")}
	in.SignalID, _ = strconv.ParseInt(strings.TrimPrefix(r.PostFormValue("signal"), "SIG-"), 10, 64)
	var err error
	in.Matchers, err = maintenance.ParseMatchers("matchers", lines(r.PostFormValue("matchers"), false))
	if err == nil {
		_, err = u.Maintenance.CreateSilence(r.Context(), v.User, in)
	}
	if err != nil {
		u.renderMaintenance(w, r, v, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/maintenance#silences", http.StatusSeeOther)
}

func (u *UI) endSilence(w http.ResponseWriter, r *http.Request, v *view) {
	if _, err := u.Maintenance.EndSilence(r.Context(), v.User, formID(r)); err != nil {
		u.renderMaintenance(w, r, v, url.Values{}, err)
		return
	}
	http.Redirect(w, r, "/maintenance#silences", http.StatusSeeOther)
}

// silenceMatchers prefills the silence form from a signal's labels, one
// exact matcher a line, in name order.
func silenceMatchers(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(maintenance.Matcher{Name: k, Op: maintenance.Equal, Value: labels[k]}.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// silenceDurations are the lengths the triage card offers, as Go durations.
func silenceDurations() []string {
	out := make([]string, len(maintenance.Durations))
	for i, d := range maintenance.Durations {
		out[i] = d.String()
	}
	return out
}

// windowsActiveOn returns the maintenance windows in progress on any of the
// services, for the declare preview; a failure to read them only leaves
// the notice out.
func (u *UI) windowsActiveOn(ctx context.Context, services []string) []maintenance.Window {
	if u.Maintenance == nil || len(services) == 0 {
		return nil
	}
	ws, err := u.Maintenance.ActiveFor(ctx, services)
	if err != nil {
		u.Log.WarnContext(ctx, "maintenance windows for the declare preview", "err", err)
		return nil
	}
	return ws
}
