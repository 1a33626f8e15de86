package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// incidentView is an incident as the API shows it: with its human id and the
// statuses it may move to next.
type incidentView struct {
	Ref    string `json:"id"`
	Number int64  `json:"number"`
	*incident.Incident
	NextStatuses []incident.Status `json:"next_statuses"`
	Warnings     []string          `json:"warnings"`
}

// view shows inc to the client of r: its warnings are in the language the
// request asks for (?lang=, else the lang cookie or Accept-Language).
func view(r *http.Request, inc *incident.Incident) incidentView {
	next := inc.Status.NextStatuses()
	if next == nil {
		next = []incident.Status{}
	}
	warnings := []string{}
	if w := incident.RoleWarningIn(inc, requestLang(r)); w != "" {
		warnings = append(warnings, w)
	}
	return incidentView{Ref: inc.Ref(), Number: inc.ID, Incident: inc, NextStatuses: next, Warnings: warnings}
}

// requestLang is the language a request asks for: ?lang=ko|en, else the
// lang cookie, else Accept-Language, else English.
func requestLang(r *http.Request) string {
	return i18n.Pick(r, r.URL.Query().Get("lang"))
}

func refParam(r *http.Request) (int64, error) {
	id, ok := incident.ParseRef(r.PathValue("ref"))
	if !ok {
		return 0, fail.New(fail.NotFound, "%q is not an incident id (expected INC-<number>)", r.PathValue("ref"))
	}
	return id, nil
}

type declareRequest struct {
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	Grade      string            `json:"grade"`
	Services   []string          `json:"services"`
	Source     string            `json:"source"`
	Visibility string            `json:"visibility"`
	Labels     map[string]string `json:"labels"`
	CauseTags  []string          `json:"cause_tags"`
	StartedAt  *string           `json:"started_at"`
	DetectedAt *string           `json:"detected_at"`
	Detection  string            `json:"detection"`
	Roles      map[string]string `json:"roles"`
	Members    []string          `json:"members"`
}

func (a *API) declare(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req declareRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	grade, err := requiredGrade(req.Grade)
	if err != nil {
		return err
	}
	var times [2]*time.Time
	for i, f := range []struct {
		name string
		v    *string
	}{{"started_at", req.StartedAt}, {"detected_at", req.DetectedAt}} {
		if times[i], err = parseTime(f.name, f.v); err != nil {
			return err
		}
	}
	roles := map[incident.Role]string{}
	for k, v := range req.Roles {
		roles[incident.Role(k)] = v
	}
	inc, err := a.Incidents.Declare(r.Context(), u, incident.Declaration{
		Title: req.Title, Summary: req.Summary, Grade: grade, Services: req.Services, Source: req.Source,
		Visibility: incident.Visibility(req.Visibility), Labels: req.Labels, CauseTags: req.CauseTags,
		StartedAt: times[0], DetectedAt: times[1], Roles: roles, Members: req.Members,
		Detection: incident.Detection(req.Detection),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/incidents/"+inc.Ref())
	writeJSON(w, http.StatusCreated, view(r, inc))
	return nil
}

func (a *API) getIncident(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	inc, err := a.Incidents.View(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}

// listQuery reads the list filters; each may repeat or hold a comma list.
func listQuery(q url.Values) (incident.Filter, error) {
	var f incident.Filter
	for _, s := range values(q, "status") {
		st := incident.Status(s)
		if !st.Valid() {
			return f, fail.Field("status", "unknown status %q; use investigating, identified, monitoring, resolved or closed", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, s := range values(q, "grade") {
		g, err := incident.ParseGrade(s)
		if err != nil {
			return f, fail.Field("grade", "%v", err)
		}
		f.Grades = append(f.Grades, g)
	}
	f.Service = q.Get("service")
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return f, fail.Field("since", "must be an RFC 3339 time such as 2026-11-24T09:00:00Z")
		}
		f.Since = t
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, fail.Field("limit", "must be a positive whole number")
		}
		f.Limit = n
	}
	return f, nil
}

func values(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (a *API) listIncidents(w http.ResponseWriter, r *http.Request, u auth.User) error {
	f, err := listQuery(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := a.Incidents.List(r.Context(), u, f, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	items := make([]incidentView, len(page.Items))
	for i, inc := range page.Items {
		items[i] = view(r, inc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": page.NextCursor})
	return nil
}

type patchRequest struct {
	Title          *string            `json:"title"`
	Summary        *string            `json:"summary"`
	Grade          *string            `json:"grade"`
	Services       *[]string          `json:"services"`
	Visibility     *string            `json:"visibility"`
	Labels         *map[string]string `json:"labels"`
	CauseTags      *[]string          `json:"cause_tags"`
	Members        *[]string          `json:"members"`
	StartedAt      *string            `json:"started_at"`
	DetectedAt     *string            `json:"detected_at"`
	AcknowledgedAt *string            `json:"acknowledged_at"`
	MitigatedAt    *string            `json:"mitigated_at"`
	Detection      *string            `json:"detection"`
}

func (a *API) updateIncident(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req patchRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p := incident.Patch{
		Title: req.Title, Summary: req.Summary, Services: req.Services, Labels: req.Labels, CauseTags: req.CauseTags,
		Members: req.Members,
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  **time.Time
	}{
		{"started_at", req.StartedAt, &p.StartedAt}, {"detected_at", req.DetectedAt, &p.DetectedAt},
		{"acknowledged_at", req.AcknowledgedAt, &p.AcknowledgedAt}, {"mitigated_at", req.MitigatedAt, &p.MitigatedAt},
	} {
		if *f.dst, err = parseTime(f.name, f.v); err != nil {
			return err
		}
	}
	if req.Grade != nil {
		g, err := incident.ParseGrade(*req.Grade)
		if err != nil {
			return fail.Field("grade", "%v", err)
		}
		p.Grade = &g
	}
	if req.Visibility != nil {
		v := incident.Visibility(*req.Visibility)
		p.Visibility = &v
	}
	if req.Detection != nil {
		d := incident.Detection(*req.Detection)
		p.Detection = &d
	}
	inc, err := a.Incidents.Update(r.Context(), u, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}

type statusRequest struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (a *API) setStatus(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req statusRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Status == "" {
		return fail.Field("status", "is required")
	}
	inc, err := a.Incidents.SetStatus(r.Context(), u, id, incident.Status(req.Status), req.Message)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}

type roleRequest struct {
	Role string `json:"role"`
	User string `json:"user"` // "" takes the role away
}

func (a *API) assignRole(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req roleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	inc, err := a.Incidents.Assign(r.Context(), u, id, incident.Role(req.Role), req.User)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if after, err = strconv.ParseInt(c, 10, 64); err != nil || after < 0 {
			return fail.Field("cursor", "must be the next_cursor of an earlier page")
		}
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return fail.Field("limit", "must be a positive whole number")
		}
	}
	events, err := a.Incidents.Timeline(r.Context(), u, id, after, limit)
	if err != nil {
		return err
	}
	// The cursor is the last event's id, so a client polling for news keeps
	// asking with the cursor it has until new events arrive.
	next := strconv.FormatInt(after, 10)
	if len(events) > 0 {
		next = strconv.FormatInt(events[len(events)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": events, "next_cursor": next})
	return nil
}

type noteRequest struct {
	Text string `json:"text"`
}

func (a *API) addNote(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ev, err := a.Incidents.AddNote(r.Context(), u, id, req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}

// parseTime reads an optional RFC 3339 time, naming the field when it is bad.
func parseTime(field string, s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return nil, fail.Field(field, "must be an RFC 3339 time such as 2026-11-24T09:00:00Z; got %q", *s)
	}
	return &t, nil
}
