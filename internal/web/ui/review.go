package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

func init() {
	funcs["categories"] = func() []review.Category { return review.Categories }
	// suggestionsIn picks one category's suggestions, for the datalist
	// and the list of that category.
	funcs["suggestionsIn"] = suggestionsIn
	// suggestionLists gives each category's datalist its id (prefix and
	// category) and titles.
	funcs["suggestionLists"] = func(prefix string, all []review.Suggestion) []suggestionList {
		var out []suggestionList
		for _, c := range review.Categories {
			out = append(out, suggestionList{ID: prefix + string(c), Items: suggestionsIn(all, c)})
		}
		return out
	}
	funcs["itemStatuses"] = func() []review.ItemStatus {
		return []review.ItemStatus{review.ItemOpen, review.ItemInProgress, review.ItemDone, review.ItemDropped}
	}
}

// reviewRoutes adds the review pages: an incident's two-stage review with
// its action items, and the long-term board.
func (u *UI) reviewRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /incidents/{ref}/review", u.showReview)
	signedIn("POST /incidents/{ref}/review/{stage}", u.saveStage)
	signedIn("POST /incidents/{ref}/action-items", u.addItem)
	signedIn("POST /incidents/{ref}/close-override", u.closeOverride)
	signedIn("POST /action-items/{id}/status", u.itemStatus)
	signedIn("POST /action-items/{id}", u.editItem)
	signedIn("GET /action-items/board", u.showBoard)
	signedIn("POST /task-forces", u.assignTaskForce)
}

// reviewPage is an incident's review.
type reviewPage struct {
	Inc         *incident.Incident
	Review      *review.State
	Users       []string
	Suggestions []review.Suggestion
	Added       *review.ActionItem
	Vague       []review.VagueFinding
	Error       string
	Field       string
	Form        map[string]string
	// Unsaved are the stages shown with what was typed but not saved.
	Unsaved []review.Stage
}

// suggestionList is one category's datalist of earlier titles.
type suggestionList struct {
	ID    string
	Items []review.Suggestion
}

func suggestionsIn(all []review.Suggestion, c review.Category) []review.Suggestion {
	var out []review.Suggestion
	for _, s := range all {
		if s.Category == c {
			out = append(out, s)
		}
	}
	return out
}

func (u *UI) showReview(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderReview(w, r, v, nil, nil)
}

func (u *UI) renderReview(w http.ResponseWriter, r *http.Request, v *view, actionErr error, form map[string]string) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	st, err := u.Review.Get(r.Context(), v.User, id)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := reviewPage{Inc: st.Incident, Review: st, Form: form}
	if stage := review.Stage(r.PathValue("stage")); stage != "" && r.Method == http.MethodPost {
		saved := stage
		if actionErr != nil {
			saved = "" // nothing was saved: every stage shows what was posted
		}
		p.Unsaved = keepDrafts(v, st, r.PostForm, saved)
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	if p.Suggestions, err = u.Review.Suggestions(r.Context(), ""); err != nil {
		u.fail(w, r, v, err)
		return
	}
	users, err := u.userNames(r)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p.Users = users
	if added, _ := strconv.ParseInt(r.URL.Query().Get("added"), 10, 64); added > 0 {
		for _, it := range st.Items {
			if it.ID == added {
				p.Added = it
				p.Vague = u.Review.Vague().CheckItem(it.Title, it.Description, v.Lang, st.Incident.Services)
			}
		}
	}
	if actionErr != nil {
		e, ok := fail.As(actionErr)
		if !ok || e.Code == fail.Internal || e.Code == fail.NotFound || e.Code == fail.Forbidden {
			u.fail(w, r, v, actionErr)
			return
		}
		p.Error, p.Field = e.Error(), e.Field
		w.WriteHeader(refusalStatus(e))
	}
	u.render(w, r, "review", v, p)
}

// reviewAct runs one change from the review page and goes back to it.
func (u *UI) reviewAct(w http.ResponseWriter, r *http.Request, v *view, change func(id int64) (string, error)) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	query, err := change(id)
	if err != nil {
		form := map[string]string{}
		for k := range r.PostForm {
			form[k] = r.PostForm.Get(k)
		}
		u.renderReview(w, r, v, err, form)
		return
	}
	http.Redirect(w, r, "/incidents/"+incident.FormatRef(id)+"/review"+query, http.StatusSeeOther)
}

// userNames lists the users for the pickers of a form.
func (u *UI) userNames(r *http.Request) ([]string, error) {
	users, err := u.Users.ListUsers(r.Context(), 500)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(users))
	for i, us := range users {
		names[i] = us.Name
	}
	return names, nil
}

// refusalStatus is the status of a page shown again with the reason a
// change was refused.
func refusalStatus(e *fail.Error) int {
	if e.Code == fail.Conflict {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// refusalText answers err on a page that shows refusals: one the person can
// act on (bad input, a conflict) is its message, to show on the page with
// status 400; anything else gets the error page, and ok is false.
func (u *UI) refusalText(w http.ResponseWriter, r *http.Request, v *view, err error) (msg string, ok bool) {
	e, ok := fail.As(err)
	if !ok || e.Code == fail.Internal {
		u.fail(w, r, v, err)
		return "", false
	}
	w.WriteHeader(http.StatusBadRequest)
	return e.Error(), true
}

// formTime reads a datetime-local or date field in the viewer's zone.
func formTime(v *view, field, s string, endOfDay bool) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, v.Zone); err == nil {
			if layout == "2006-01-02" && endOfDay {
				t = t.Add(24*time.Hour - time.Second)
			}
			return &t, nil
		}
	}
	return nil, fail.Field(field, "must be a date such as 2026-12-01 (or with a time, 2026-12-01T14:00); got %q", s)
}

func splitNames(s string) []string {
	var out []string
	for _, n := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func (u *UI) addItem(w http.ResponseWriter, r *http.Request, v *view) {
	u.reviewAct(w, r, v, func(id int64) (string, error) {
		f := r.PostForm
		due, err := formTime(v, "due_at", f.Get("due_at"), true)
		if err != nil {
			return "", err
		}
		added, err := u.Review.AddItem(r.Context(), v.User, id, review.ItemInput{
			Stage: review.Stage(f.Get("stage")), Title: f.Get("title"), Description: f.Get("description"),
			Category: review.Category(f.Get("category")), Term: review.Term(f.Get("term")), Owner: f.Get("owner"), DueAt: due,
			TaskForce: f.Get("task_force"), Tracker: f.Get("tracker"),
		}, v.Lang)
		if err != nil {
			return "", err
		}
		return "?added=" + strconv.FormatInt(added.Item.ID, 10) + "#items", nil
	})
}

func (u *UI) closeOverride(w http.ResponseWriter, r *http.Request, v *view) {
	u.reviewAct(w, r, v, func(id int64) (string, error) {
		_, err := u.Incidents.CloseOverride(r.Context(), v.User, id, r.PostFormValue("reason"))
		return "", err
	})
}

func (u *UI) itemStatus(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	st := review.ItemStatus(r.PostFormValue("status"))
	if _, err := u.Review.UpdateItem(r.Context(), v.User, id, review.ItemPatch{Status: &st}); err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// editItem changes an item's owner, due date and task force.
func (u *UI) editItem(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := r.PostForm
	due, err := formTime(v, "due_at", f.Get("due_at"), true)
	if err == nil && due == nil {
		err = fail.Field("due_at", "is required: every action item has a due date")
	}
	if err == nil {
		owner, tf := f.Get("owner"), f.Get("task_force")
		_, err = u.Review.UpdateItem(r.Context(), v.User, id, review.ItemPatch{Owner: &owner, DueAt: due, TaskForce: &tf})
	}
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, safeNext(f.Get("next")), http.StatusSeeOther)
}

// boardPage is the long-term board.
type boardPage struct {
	Groups []review.BoardGroup
	By     string
	Count  int
}

func (u *UI) showBoard(w http.ResponseWriter, r *http.Request, v *view) {
	by := r.URL.Query().Get("group")
	if by != "task_force" {
		by = "team"
	}
	groups, err := u.Review.Board(r.Context(), v.User, by)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := boardPage{Groups: groups, By: by}
	for _, g := range groups {
		p.Count += len(g.Items)
	}
	u.render(w, r, "board", v, p)
}

func (u *UI) assignTaskForce(w http.ResponseWriter, r *http.Request, v *view) {
	var ids []int64
	for _, s := range r.PostForm["items"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if _, err := u.Review.AssignTaskForce(r.Context(), v.User, r.PostFormValue("name"), ids); err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/action-items/board?group=task_force", http.StatusSeeOther)
}

// CategoryName is an action item category in the viewer's language.
func (v *view) CategoryName(c review.Category) string { return v.T("cat." + string(c)) }

// TermName is an action item term in the viewer's language.
func (v *view) TermName(t review.Term) string { return v.T("term." + string(t)) }

// ItemStatusName is an action item status in the viewer's language.
func (v *view) ItemStatusName(s review.ItemStatus) string { return v.T("item." + string(s)) }

// StageName is a review stage in the viewer's language.
func (v *view) StageName(s review.Stage) string { return v.T("stage." + string(s)) }

// Date shows a date in the viewer's zone.
func (v *view) Date(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(v.Zone).Format("2006-01-02")
}

// LocalInput formats a time for a datetime-local input.
func (v *view) LocalInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(v.Zone).Format("2006-01-02T15:04")
}

// reviewEventText describes the review's timeline events.
func (v *view) reviewEventText(ev incident.Event) string {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	list := func(k string) string {
		xs, _ := ev.Data[k].([]any)
		var out []string
		for _, x := range xs {
			if t, ok := x.(string); ok {
				out = append(out, t)
			}
		}
		return strings.Join(out, ", ")
	}
	switch ev.Kind {
	case review.EventReviewSaved:
		return v.T("ev.review_saved", v.StageName(review.Stage(s("stage"))))
	case review.EventReviewHeld:
		return v.T("ev.review_held", v.StageName(review.Stage(s("stage"))), s("facilitator"))
	case review.EventItemAdded:
		return v.T("ev.item_added", s("title"), s("owner"))
	case review.EventItemChanged:
		if st := s("status"); st != "" {
			return v.T("ev.item_status", s("item_title"), v.ItemStatusName(review.ItemStatus(st)))
		}
		return v.T("ev.item_changed", s("item_title"))
	case review.EventItemLinked:
		return v.T("ev.item_linked", s("item_title"), s("tracker"), s("key"))
	case review.EventItemReminder:
		return v.T("ev.item_reminder", s("to"), s("item_title"))
	case review.EventItemEscalated:
		if s("to") == "" {
			return v.T("ev.item_escalated_none", s("item_title"), s("owner"))
		}
		return v.T("ev.item_escalated", s("item_title"), s("to"))
	case review.EventRecurrenceMatch:
		return v.T("ev.recurrence", list("incidents"))
	case incident.EventCloseOverridden:
		return v.T("ev.close_overridden", list("missing"), s("reason"))
	}
	// Every other kind (report_started, report_shared, …) by its wording;
	// never the raw kind.
	return v.EventLabel(ev)
}
