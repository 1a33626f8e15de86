package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// listPage is the incident list with its filters.
type listPage struct {
	Items      []*incident.Incident
	Query      url.Values
	Services   []string
	NextURL    string
	FirstURL   string
	LiveURL    string
	Open       bool // the "open" pseudo-status is selected
	SameHolder map[int64]bool
	TBD        map[int64]report.TBDMarker // TBD sections of each incident's report, and since when
}

// pageSize of the incident list; the list query is bounded by it.
const pageSize = 50

// listFilter reads the list's query string. Bad values are ignored rather
// than refused: a hand-edited URL should still show a list.
func listFilter(q url.Values, v *view) incident.Filter {
	f := incident.Filter{Limit: pageSize, Text: strings.TrimSpace(q.Get("q")), Service: q.Get("service")}
	switch st := q.Get("status"); st {
	case "", "any":
	case "open":
		f.Statuses = []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring}
	default:
		if incident.Status(st).Valid() {
			f.Statuses = []incident.Status{incident.Status(st)}
		}
	}
	if g, err := incident.ParseGrade(q.Get("grade")); err == nil {
		f.Grades = []incident.Grade{g}
	}
	if q.Get("mine") == "1" {
		f.Member = v.User.Name
	}
	return f
}

func (u *UI) listIncidents(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	page, err := u.Incidents.List(r.Context(), v.User, listFilter(q, v), q.Get("cursor"))
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := listPage{Items: page.Items, Query: q, Open: q.Get("status") == "open"}
	if p.TBD, err = u.reportMarkers(r, page.Items); err != nil {
		u.fail(w, r, v, err)
		return
	}
	for _, s := range u.Catalog.Services() {
		p.Services = append(p.Services, s.Name)
	}
	first := cloneQuery(q)
	first.Del("cursor")
	p.LiveURL = "/incidents/live?" + first.Encode()
	if q.Get("cursor") != "" {
		p.FirstURL = "/incidents?" + first.Encode()
	}
	if page.NextCursor != "" {
		next := cloneQuery(q)
		next.Set("cursor", page.NextCursor)
		p.NextURL = "/incidents?" + next.Encode()
	}
	u.render(w, r, "list", v, p)
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type declarePage struct {
	Users    []string
	Services []string
	Form     url.Values
	Error    string
	Field    string
	Preview  *previewPanel
}

func (u *UI) declareForm(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderDeclare(w, r, v, url.Values{"grade": {"SEV3"}, "visibility": {"internal"}}, nil)
}

func (u *UI) renderDeclare(w http.ResponseWriter, r *http.Request, v *view, form url.Values, formErr error) {
	p := declarePage{Form: form}
	users, err := u.userNames(r)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p.Users = users
	for _, s := range u.Catalog.Services() {
		p.Services = append(p.Services, s.Name)
	}
	p.Preview = u.preview(r.Context(), v, form)
	if formErr != nil {
		e, ok := fail.As(formErr)
		if !ok || e.Code == fail.Internal {
			u.fail(w, r, v, formErr)
			return
		}
		p.Error, p.Field = e.Error(), e.Field
		status := http.StatusBadRequest
		if e.Code == fail.Forbidden {
			status = http.StatusForbidden // e.g. a visibility only an owning team's manager may set
		}
		w.WriteHeader(status)
	}
	u.render(w, r, "declare", v, p)
}

func (u *UI) declare(w http.ResponseWriter, r *http.Request, v *view) {
	form := r.PostForm
	if form.Get("action") == "preview" {
		u.renderDeclare(w, r, v, form, nil) // shows the preview; declares nothing
		return
	}
	grade, err := incident.ParseGrade(form.Get("grade"))
	if err != nil {
		u.renderDeclare(w, r, v, form, fail.Field("grade", "%v", err))
		return
	}
	roles := map[incident.Role]string{}
	for _, role := range incident.Roles {
		if name := form.Get(string(role)); name != "" {
			roles[role] = name
		}
	}
	inc, err := u.Incidents.Declare(r.Context(), v.User, incident.Declaration{
		Title: form.Get("title"), Summary: form.Get("summary"), Grade: grade, Services: form["services"],
		Visibility: incident.Visibility(form.Get("visibility")), Roles: roles,
	})
	if err != nil {
		u.renderDeclare(w, r, v, form, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+inc.Ref(), http.StatusSeeOther)
}

// incidentPage is one incident with its latest timeline.
type incidentPage struct {
	Inc         *incident.Incident
	Events      []incident.Event
	EarlierURL  string
	LastEventID int64
	Users       []string
	Error       string
	SamePerson  string // who holds both roles, when one person does
	Messages    *messagesPanel
	Due         *UpdateDue
	Report      *report.Report
	ReportTBD   int
	LastShare   *report.Share // the report's latest share, with its deliveries
	Similar     []report.Hit
	Review      *review.State
	Suggestions []review.Suggestion // for the quick action-item form
	Playbooks   *playbookBox        // nil when the services have none
	Changes     *changesPanel       // recent changes of its services
	Flags       *flagsPanel         // kill switches of the affected services
	WarRoom     *warroom.Room       // the incident's chat channel, if it has one
}

// timelinePage is how many events the incident page shows at once.
const timelinePage = 200

func (u *UI) showIncident(w http.ResponseWriter, r *http.Request, v *view) {
	if id, ok := incident.ParseRef(r.PathValue("ref")); ok {
		if _, err := u.Incidents.View(r.Context(), v.User, id); err != nil { // audits an admin's look at a restricted incident
			u.fail(w, r, v, err)
			return
		}
	}
	u.renderIncident(w, r, v, nil)
}

// incidentRef is the incident id in the path's {ref}; a ref that is no
// incident's answers the not-found page, and ok is false.
func (u *UI) incidentRef(w http.ResponseWriter, r *http.Request, v *view) (id int64, ok bool) {
	if id, ok = incident.ParseRef(r.PathValue("ref")); !ok {
		u.fail(w, r, v, fail.New(fail.NotFound, "no incident"))
	}
	return id, ok
}

func (u *UI) renderIncident(w http.ResponseWriter, r *http.Request, v *view, actionErr error) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	inc, err := u.Incidents.Get(r.Context(), v.User, id)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	events, err := u.Incidents.RecentTimeline(r.Context(), v.User, id, before, timelinePage)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := incidentPage{Inc: inc, Events: events}
	if p.Due, err = u.updateDue(r.Context(), inc); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if len(events) == timelinePage {
		p.EarlierURL = "/incidents/" + inc.Ref() + "?before=" + strconv.FormatInt(events[0].ID, 10)
	}
	if before == 0 && len(events) > 0 {
		p.LastEventID = events[len(events)-1].ID
	}
	if p.Events, err = u.withMaintenance(r, inc, events, before == 0, p.EarlierURL == ""); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if res, com := inc.Roles[incident.Resolver], inc.Roles[incident.Communicator]; res != "" && res == com && inc.Grade <= incident.SEV3 {
		p.SamePerson = res
	}
	if p.Messages, err = u.messagesOf(r.Context(), inc.ID); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if err := u.addReportBox(r, v, &p); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if err := u.addPlaybooks(r, v, &p); err != nil {
		u.fail(w, r, v, err)
		return
	}
	users, err := u.userNames(r)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p.Users = users
	if p.Changes, err = u.changesOf(r, v, inc, events); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if p.Review, err = u.Review.Get(r.Context(), v.User, id); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if p.Suggestions, err = u.Review.Suggestions(r.Context(), ""); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if p.Flags, err = u.incidentFlags(r.Context(), v, inc); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if p.WarRoom, err = u.warRoomOf(r.Context(), inc.ID); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if actionErr != nil {
		e, ok := fail.As(actionErr)
		if !ok || e.Code == fail.Internal || e.Code == fail.NotFound {
			u.fail(w, r, v, actionErr)
			return
		}
		p.Error = e.Error()
		w.WriteHeader(refusalStatus(e))
	}
	u.render(w, r, "incident", v, p)
}

// act runs one change from the incident page and goes back to it; a refused
// change shows the page again with the reason.
func (u *UI) act(w http.ResponseWriter, r *http.Request, v *view, change func(id int64) error) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	if err := change(id); err != nil {
		u.renderIncident(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+incident.FormatRef(id), http.StatusSeeOther)
}

func (u *UI) changeStatus(w http.ResponseWriter, r *http.Request, v *view) {
	if u.confirmClose(w, r, v) {
		return
	}
	u.act(w, r, v, func(id int64) error {
		_, err := u.Incidents.SetStatus(r.Context(), v.User, id, incident.Status(r.PostFormValue("status")), r.PostFormValue("message"))
		return err
	})
}

func (u *UI) changeGrade(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		g, err := incident.ParseGrade(r.PostFormValue("grade"))
		if err != nil {
			return fail.Field("grade", "%v", err)
		}
		_, err = u.Incidents.Update(r.Context(), v.User, id, incident.Patch{Grade: &g})
		return err
	})
}

func (u *UI) assignRole(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		_, err := u.Incidents.Assign(r.Context(), v.User, id, incident.Role(r.PostFormValue("role")), r.PostFormValue("user"))
		return err
	})
}

func (u *UI) addNote(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		_, err := u.Incidents.AddNote(r.Context(), v.User, id, r.PostFormValue("text"))
		return err
	})
}
