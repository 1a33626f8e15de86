package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// reviewRoutes are the review's operations: both retrospective stages,
// action items, the long-term board and task forces.
func (a *API) reviewRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/incidents/{ref}/review", Need: NeedRead, handle: a.getReview},
		{Method: "PUT", Path: "/incidents/{ref}/review/{stage}", Need: NeedWrite, Body: retroRequest{}, handle: a.saveRetro},
		{Method: "POST", Path: "/incidents/{ref}/close-override", Need: NeedWrite, Body: overrideRequest{}, handle: a.closeOverride},
		{Method: "POST", Path: "/incidents/{ref}/action-items", Need: NeedWrite, Body: itemRequest{}, handle: a.addItem},
		{Method: "GET", Path: "/action-items", Need: NeedRead, handle: a.listItems},
		{Method: "GET", Path: "/action-items/{id}", Need: NeedRead, handle: a.getItem},
		{Method: "PATCH", Path: "/action-items/{id}", Need: NeedWrite, Body: itemPatchRequest{}, handle: a.updateItem},
		{Method: "POST", Path: "/action-items/check", Need: NeedRead, Body: checkRequest{}, handle: a.checkItem},
		{Method: "GET", Path: "/action-items/suggestions", Need: NeedRead, handle: a.suggestions},
		{Method: "GET", Path: "/action-items/board", Need: NeedRead, handle: a.board},
		{Method: "POST", Path: "/task-forces", Need: NeedWrite, Body: taskForceRequest{}, handle: a.taskForce},
	}
}

type itemView struct {
	*review.ActionItem
	Incident string `json:"incident"`
}

func itemViews(items []*review.ActionItem) []itemView {
	out := make([]itemView, len(items))
	for i, it := range items {
		out[i] = itemView{it, refOf(it.IncidentID)}
	}
	return out
}

func (a *API) getReview(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	st, err := a.Review.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": refOf(id), "stages": st.Stages, "required_stages": st.Required,
		"missing_stages": st.Missing, "action_items": itemViews(st.Items), "recurrences": st.Recurrences})
	return nil
}

type narrativeRequest struct {
	Background string `json:"background"`
	Trigger    string `json:"trigger"`
	Chain      string `json:"chain"`
	Impact     string `json:"impact"`
}

type retroRequest struct {
	ScheduledAt *string          `json:"scheduled_at"`
	Facilitator string           `json:"facilitator"`
	Attendees   []string         `json:"attendees"`
	Notes       string           `json:"notes"`
	Narrative   narrativeRequest `json:"narrative"`
	Held        bool             `json:"held"`
}

func (a *API) saveRetro(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req retroRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	at, err := parseTime("scheduled_at", req.ScheduledAt)
	if err != nil {
		return err
	}
	n := req.Narrative
	ret, err := a.Review.SaveRetrospective(r.Context(), u, id, review.Stage(r.PathValue("stage")), review.RetroInput{
		ScheduledAt: at, Facilitator: req.Facilitator, Attendees: req.Attendees, Notes: req.Notes, Held: req.Held,
		Narrative: review.Narrative{Background: n.Background, Trigger: n.Trigger, Chain: n.Chain, Impact: n.Impact},
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ret)
	return nil
}

type overrideRequest struct {
	Reason string `json:"reason"`
}

func (a *API) closeOverride(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req overrideRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	inc, err := a.Incidents.CloseOverride(r.Context(), u, id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}

type itemRequest struct {
	Stage       string  `json:"stage"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Category    string  `json:"category"`
	Term        string  `json:"term"`
	Owner       string  `json:"owner"`
	DueAt       *string `json:"due_at"`
	TaskForce   string  `json:"task_force"`
	Tracker     string  `json:"tracker"`
	Lang        string  `json:"lang"`
}

// parseDue reads a due date: an RFC 3339 time or a plain date (the end of
// that day, UTC).
func parseDue(v *string) (*time.Time, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	if d, err := time.Parse("2006-01-02", *v); err == nil {
		end := d.Add(24*time.Hour - time.Second)
		return &end, nil
	}
	return parseTime("due_at", v)
}

func (a *API) addItem(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req itemRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkLang("lang", req.Lang); err != nil {
		return err
	}
	due, err := parseDue(req.DueAt)
	if err != nil {
		return err
	}
	added, err := a.Review.AddItem(r.Context(), u, id, review.ItemInput{
		Stage: review.Stage(req.Stage), Title: req.Title, Description: req.Description, Category: review.Category(req.Category),
		Term: review.Term(req.Term), Owner: req.Owner, DueAt: due, TaskForce: req.TaskForce, Tracker: req.Tracker,
	}, i18n.Pick(r, req.Lang))
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/action-items/"+strconv.FormatInt(added.Item.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"action_item": itemView{added.Item, refOf(id)}, "vague": added.Vague})
	return nil
}

func itemID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fail.New(fail.NotFound, "%q is not an action item id", r.PathValue("id"))
	}
	return id, nil
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	f := review.ItemFilter{Term: review.Term(q.Get("term")), Category: review.Category(q.Get("category")), Owner: q.Get("owner"),
		TaskForce: q.Get("task_force")}
	for _, s := range values(q, "status") {
		if !review.ItemStatus(s).Valid() {
			return fail.Field("status", "unknown status %q; use open, in_progress, done or dropped", s)
		}
		f.Statuses = append(f.Statuses, review.ItemStatus(s))
	}
	if f.Term != "" && !f.Term.Valid() {
		return fail.Field("term", "must be short or long")
	}
	if f.Category != "" && !f.Category.Valid() {
		return fail.Field("category", "must be prevent, detect or handle")
	}
	if s := q.Get("incident"); s != "" {
		id, err := refOfParam("incident", s)
		if err != nil {
			return err
		}
		f.IncidentIDs = []int64{id}
	}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), "limit"); err != nil {
		return err
	}
	after, err := intParam(q.Get("cursor"), "cursor")
	if err != nil {
		return err
	}
	f.AfterID = int64(after)
	items, next, err := a.Review.ListItems(r.Context(), u, f)
	if err != nil {
		return err
	}
	cursor := ""
	if next > 0 {
		cursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": itemViews(items), "next_cursor": cursor})
	return nil
}

func intParam(s, field string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fail.Field(field, "must be a positive whole number")
	}
	return n, nil
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := itemID(r)
	if err != nil {
		return err
	}
	it, err := a.Review.GetItem(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"action_item": itemView{it, refOf(it.IncidentID)},
		"vague": a.Review.Vague().Check(it.Title, it.Description, i18n.Pick(r, r.URL.Query().Get("lang")))})
	return nil
}

type itemPatchRequest struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	Term        *string `json:"term"`
	Owner       *string `json:"owner"`
	DueAt       *string `json:"due_at"`
	Status      *string `json:"status"`
	TaskForce   *string `json:"task_force"`
}

func (a *API) updateItem(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := itemID(r)
	if err != nil {
		return err
	}
	var req itemPatchRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p := review.ItemPatch{Title: req.Title, Description: req.Description, Owner: req.Owner, TaskForce: req.TaskForce}
	if req.Category != nil {
		c := review.Category(*req.Category)
		p.Category = &c
	}
	if req.Term != nil {
		t := review.Term(*req.Term)
		p.Term = &t
	}
	if req.Status != nil {
		s := review.ItemStatus(*req.Status)
		p.Status = &s
	}
	if req.DueAt != nil {
		if p.DueAt, err = parseDue(req.DueAt); err != nil {
			return err
		}
		if p.DueAt == nil {
			return fail.Field("due_at", "cannot be cleared: every action item has a due date")
		}
	}
	it, err := a.Review.UpdateItem(r.Context(), u, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"action_item": itemView{it, refOf(it.IncidentID)}})
	return nil
}

type checkRequest struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Lang        string `json:"lang"`
}

func (a *API) checkItem(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req checkRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkLang("lang", req.Lang); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"vague": a.Review.Vague().Check(req.Title, req.Description, i18n.Pick(r, req.Lang))})
	return nil
}

func (a *API) suggestions(w http.ResponseWriter, r *http.Request, u auth.User) error {
	sg, err := a.Review.Suggestions(r.Context(), review.Category(r.URL.Query().Get("category")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"suggestions": sg})
	return nil
}

func (a *API) board(w http.ResponseWriter, r *http.Request, u auth.User) error {
	groups, err := a.Review.Board(r.Context(), u, r.URL.Query().Get("group"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": groups})
	return nil
}

type taskForceRequest struct {
	Name  string  `json:"name"`
	Items []int64 `json:"items"`
}

func (a *API) taskForce(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req taskForceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	items, err := a.Review.AssignTaskForce(r.Context(), u, req.Name, req.Items)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": req.Name, "items": itemViews(items)})
	return nil
}

func refOf(id int64) string { return incident.FormatRef(id) }

func refOfParam(field, s string) (int64, error) {
	id, ok := incident.ParseRef(s)
	if !ok {
		return 0, fail.Field(field, "must be an incident id such as INC-42; got %q", s)
	}
	return id, nil
}
