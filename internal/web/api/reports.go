package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
)

func (a *API) reportRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/report-template", Need: NeedRead, handle: a.reportTemplate},
		{Method: "POST", Path: "/report-preview", Need: NeedRead, Body: markdownPreviewRequest{}, handle: a.previewMarkdown},
		{Method: "GET", Path: "/reports", Need: NeedRead, handle: a.pendingReports},
		{Method: "GET", Path: "/search", Need: NeedRead, handle: a.searchLibrary},
		{Method: "GET", Path: "/incidents/{ref}/similar", Need: NeedRead, handle: a.similarIncidents},
		{Method: "GET", Path: "/incidents/{ref}/report", Need: NeedRead, handle: a.getReport},
		{Method: "POST", Path: "/incidents/{ref}/report", Need: NeedWrite, Body: startReportRequest{}, handle: a.startReport},
		{Method: "PUT", Path: "/incidents/{ref}/report", Need: NeedWrite, Body: saveReportRequest{}, handle: a.saveReport},
		{Method: "GET", Path: "/incidents/{ref}/report/revisions", Need: NeedRead, handle: a.reportRevisions},
		{Method: "GET", Path: "/incidents/{ref}/report/diff", Need: NeedRead, handle: a.reportDiff},
		{Method: "POST", Path: "/incidents/{ref}/report/share", Need: NeedWrite, handle: a.shareReport},
		{Method: "GET", Path: "/incidents/{ref}/report/shares", Need: NeedRead, handle: a.reportShares},
		{Method: "GET", Path: "/incidents/{ref}/report/export", Need: NeedRead, handle: a.exportReport},
		{Method: "POST", Path: "/incidents/{ref}/report/import", Need: NeedWrite, Body: importRequest{}, handle: a.importReport},
	}
}

type sectionView struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Help     string `json:"help"`
	Required bool   `json:"required"`
	TBD      bool   `json:"tbd,omitempty"`
	Markdown string `json:"markdown,omitempty"`
	HTML     string `json:"html,omitempty"`
}

func (a *API) reportTemplate(w http.ResponseWriter, r *http.Request, u auth.User) error {
	lang := langParam(r)
	var out []sectionView
	for _, s := range a.Reports.Template().Sections {
		out = append(out, sectionView{Key: s.Key, Title: s.TitleIn(lang), Help: s.HelpIn(lang), Required: s.Required})
	}
	writeJSON(w, http.StatusOK, map[string]any{"lang": lang, "sections": out})
	return nil
}

func langParam(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ko" {
		return l
	}
	return "en"
}

type markdownPreviewRequest struct {
	Markdown string `json:"markdown"`
}

func (a *API) previewMarkdown(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req markdownPreviewRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"html": string(report.RenderMarkdown(req.Markdown)), "tbd": report.IsTBD(req.Markdown)})
	return nil
}

type reportView struct {
	Incident string `json:"incident"`
	*report.Report
	TBD      []string      `json:"tbd"`
	Overdue  bool          `json:"overdue"`
	Rendered []sectionView `json:"rendered"`
}

func (a *API) reportView(inc *incident.Incident, rep *report.Report) reportView {
	tmpl := a.Reports.Template()
	v := reportView{Incident: inc.Ref(), Report: rep, TBD: tmpl.TBDKeys(rep), Overdue: rep.Overdue(time.Now())}
	if v.TBD == nil {
		v.TBD = []string{}
	}
	for _, s := range tmpl.Render(rep.Sections, rep.Lang) {
		v.Rendered = append(v.Rendered, sectionView{Key: s.Key, Title: s.Title, Required: s.Required, TBD: s.TBD, HTML: string(s.HTML)})
	}
	return v
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	inc, rep, err := a.Reports.View(r.Context(), u, id)
	if err != nil {
		return err
	}
	if rep == nil {
		return fail.New(fail.NotFound, "%s has no report yet; start one with POST %s/incidents/%s/report", inc.Ref(), Prefix, inc.Ref())
	}
	writeJSON(w, http.StatusOK, a.reportView(inc, rep))
	return nil
}

type startReportRequest struct {
	// Events are the timeline event ids to keep; absent keeps the default ones.
	Events *[]int64 `json:"events"`
	Lang   string   `json:"lang"`
}

func (a *API) startReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req startReportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o := report.StartOptions{Lang: req.Lang}
	if req.Events != nil {
		o.Events = append([]int64{}, *req.Events...)
	}
	rep, err := a.Reports.Start(r.Context(), u, id, o)
	if err != nil {
		return err
	}
	inc, _, err := a.Reports.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/incidents/"+inc.Ref()+"/report")
	writeJSON(w, http.StatusCreated, a.reportView(inc, rep))
	return nil
}

type saveReportRequest struct {
	BaseRevision int               `json:"base_revision"`
	Sections     map[string]string `json:"sections"`
}

func (a *API) saveReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req saveReportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if len(req.Sections) == 0 {
		return fail.Field("sections", "is required: the sections to save, by key")
	}
	rep, err := a.Reports.Save(r.Context(), u, id, req.BaseRevision, req.Sections)
	if err != nil {
		return err
	}
	inc, _, err := a.Reports.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.reportView(inc, rep))
	return nil
}

func (a *API) reportRevisions(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	revs, err := a.Reports.Revisions(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": revs})
	return nil
}

func revisionParam(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return 0, fail.Field(name, "must be a revision number (1 or more); got %q", r.URL.Query().Get(name))
	}
	return n, nil
}

func (a *API) reportDiff(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	from, err := revisionParam(r, "from")
	if err != nil {
		return err
	}
	to, err := revisionParam(r, "to")
	if err != nil {
		return err
	}
	diff, err := a.Reports.Diff(r.Context(), u, id, from, to, langParam(r))
	if err != nil {
		return err
	}
	if diff == nil {
		diff = []report.SectionDiff{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "sections": diff})
	return nil
}

func (a *API) shareReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	sh, err := a.Reports.Share(r.Context(), u, id)
	if err != nil {
		return err
	}
	withReasonText(&sh, requestLang(r))
	writeJSON(w, http.StatusOK, sh)
	return nil
}

func (a *API) exportReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "md" && format != "html" {
		return fail.Field("format", "must be md or html; got %q", format)
	}
	inc, rep, err := a.Reports.View(r.Context(), u, id)
	if err != nil {
		return err
	}
	if rep == nil {
		return fail.New(fail.NotFound, "%s has no report yet", inc.Ref())
	}
	file, ctype, body := ExportFile(a.Reports.Template(), inc, rep, format, langParamOr(r, rep.Lang))
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	_, _ = w.Write(body)
	return nil
}

func langParamOr(r *http.Request, def string) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "ko" {
		return l
	}
	return def
}

// ExportFile renders a report for download: its file name, content type
// and body. The web pages use it too.
func ExportFile(t report.Template, inc *incident.Incident, rep *report.Report, format, lang string) (string, string, []byte) {
	h := report.HeaderOf(inc, rep.Revision)
	if format == "html" {
		return inc.Ref() + "-report.html", "text/html; charset=utf-8", t.ExportHTML(h, rep.Sections, lang)
	}
	return inc.Ref() + "-report.md", "text/markdown; charset=utf-8", []byte(t.ExportMarkdown(h, rep.Sections, lang))
}

type importRequest struct {
	Markdown     string `json:"markdown"`
	BaseRevision int    `json:"base_revision"`
	Lang         string `json:"lang"`
}

func (a *API) importReport(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req importRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkLang("lang", req.Lang); err != nil {
		return err
	}
	rep, imp, err := a.Reports.Import(r.Context(), u, id, req.BaseRevision, req.Markdown, req.Lang)
	if err != nil {
		return err
	}
	inc, _, err := a.Reports.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	unmatched := imp.Unmatched
	if unmatched == nil {
		unmatched = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": a.reportView(inc, rep), "unmatched_headings": unmatched})
	return nil
}

type pendingView struct {
	Incident string     `json:"incident"`
	Title    string     `json:"title"`
	Grade    string     `json:"grade"`
	Owner    string     `json:"owner"`
	Started  bool       `json:"started"`
	DueAt    time.Time  `json:"due_at"`
	Overdue  bool       `json:"overdue"`
	SharedAt *time.Time `json:"first_shared_at"`
	TBD      []tbdView  `json:"tbd"`
}

type tbdView struct {
	Section string    `json:"section"`
	Since   time.Time `json:"since"`
}

func (a *API) pendingReports(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var after int64
	if s := r.URL.Query().Get("after"); s != "" {
		id, ok := incident.ParseRef(s)
		if !ok {
			return fail.Field("after", "must be an incident id such as INC-7; got %q", s)
		}
		after = id
	}
	ps, next, err := a.Reports.ListPending(r.Context(), u, langParam(r), after)
	if err != nil {
		return err
	}
	out := []pendingView{}
	for _, p := range ps {
		v := pendingView{Incident: p.Incident.Ref(), Title: p.Incident.Title, Grade: p.Incident.Grade.String(), Owner: p.Owner,
			Started: p.Report != nil, DueAt: p.DueAt, Overdue: p.Overdue, TBD: []tbdView{}}
		if p.Report != nil {
			v.SharedAt = p.Report.FirstSharedAt
			for _, k := range a.Reports.Template().TBDKeys(p.Report) {
				v.TBD = append(v.TBD, tbdView{Section: k, Since: p.Report.TBDSince[k]})
			}
		}
		out = append(out, v)
	}
	body := map[string]any{"items": out}
	if next != 0 {
		body["next"] = incident.FormatRef(next)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

type hitView struct {
	Ref string `json:"id"`
	report.Hit
}

func hitViews(hits []report.Hit) []hitView {
	out := make([]hitView, 0, len(hits))
	for _, h := range hits {
		out = append(out, hitView{Ref: h.Ref(), Hit: h})
	}
	return out
}

// SearchFilter reads the library's filters from a query string; the web
// pages use it too. Dates are days in the organisation's time zone (or
// RFC 3339 times); a service must be one the catalog knows.
func SearchFilter(r *http.Request, zone *time.Location, cat *catalog.Catalog) (report.SearchFilter, error) {
	q := r.URL.Query()
	var f report.SearchFilter
	f.Service, f.Cause = strings.TrimSpace(q.Get("service")), strings.TrimSpace(q.Get("cause"))
	if f.Service != "" && cat != nil {
		if _, ok := cat.Service(f.Service); !ok {
			return f, fail.Field("service", "no service %q in the catalog", f.Service)
		}
	}
	if zone == nil {
		zone = time.UTC
	}
	if g := q.Get("grade"); g != "" {
		grade, err := incident.ParseGrade(g)
		if err != nil {
			return f, fail.Field("grade", "%v", err)
		}
		f.Grades = []incident.Grade{grade}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if t, err = time.ParseInLocation("2006-01-02", s, zone); err != nil {
				return f, fail.Field(p.name, "must be a date (2026-11-24) or an RFC 3339 time; got %q", s)
			}
		}
		*p.dst = t
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return f, fail.Field("limit", "must be 1-100; got %q", s)
		}
		f.Limit = n
	}
	return f, nil
}

func (a *API) searchLibrary(w http.ResponseWriter, r *http.Request, u auth.User) error {
	f, err := SearchFilter(r, a.Reports.Zone(), a.Catalog)
	if err != nil {
		return err
	}
	hits, err := a.Library.Find(r.Context(), u, r.URL.Query().Get("q"), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hitViews(hits)})
	return nil
}

func (a *API) similarIncidents(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	hits, err := a.Library.Similar(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hitViews(hits)})
	return nil
}
