package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// reportRoutes adds the report, library and guide pages.
func (u *UI) reportRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /incidents/{ref}/report", u.showReport)
	signedIn("POST /incidents/{ref}/report/start", u.startReport)
	signedIn("GET /incidents/{ref}/report/edit", u.editReport)
	signedIn("POST /incidents/{ref}/report/edit", u.saveReport)
	signedIn("GET /incidents/{ref}/report/revisions", u.reportRevisions)
	signedIn("GET /incidents/{ref}/report/export/{format}", u.exportReport)
	signedIn("POST /incidents/{ref}/report/import", u.importReport)
	signedIn("POST /incidents/{ref}/report/share", u.shareReport)
	signedIn("GET /reports", u.pendingReports)
	signedIn("GET /library", u.library)
	signedIn("GET /guide/report", u.reportGuide)
}

type reportPage struct {
	Inc      *incident.Incident
	Report   *report.Report
	Sections []report.RenderedSection
	Events   []incident.Event // for choosing what pre-fill keeps
	Shares   []report.Share
	Overdue  bool
	TBD      int
	Error    string
	Notice   string
	Preview  bool
	Base     int
}

func (u *UI) reportOf(w http.ResponseWriter, r *http.Request, v *view) (*incident.Incident, *report.Report, bool) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return nil, nil, false
	}
	get := u.Reports.Get
	if r.Method == http.MethodGet { // opening the report, which an admin override must leave in the audit log
		get = u.Reports.View
	}
	inc, rep, err := get(r.Context(), v.User, id)
	if err != nil {
		u.fail(w, r, v, err)
		return nil, nil, false
	}
	return inc, rep, true
}

func (u *UI) showReport(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderReport(w, r, v, nil, "")
}

func (u *UI) renderReport(w http.ResponseWriter, r *http.Request, v *view, actionErr error, notice string) {
	inc, rep, ok := u.reportOf(w, r, v)
	if !ok {
		return
	}
	p := reportPage{Inc: inc, Report: rep, Notice: notice}
	if actionErr != nil {
		msg, ok := u.refusalText(w, r, v, actionErr)
		if !ok {
			return
		}
		p.Error = msg
	}
	if rep == nil {
		events, err := u.Incidents.Timeline(r.Context(), v.User, inc.ID, 0, 500)
		if err != nil {
			u.fail(w, r, v, err)
			return
		}
		p.Events = events
		u.render(w, r, "report", v, p)
		return
	}
	tmpl := u.Reports.Template()
	p.Sections = tmpl.Render(rep.Sections, v.Lang)
	p.Overdue = rep.Overdue(v.Now)
	p.TBD = len(tmpl.TBDKeys(rep))
	shares, err := u.Reports.Shares(r.Context(), v.User, inc.ID)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p.Shares = shares
	u.render(w, r, "report", v, p)
}

// DefaultEvent tells the start form which events to tick.
func (v *view) DefaultEvent(ev incident.Event) bool { return report.DefaultEvent(ev) }

// Age says how long ago t was.
func (v *view) Age(t time.Time) string { return i18n.FormatDuration(v.Now.Sub(t), v.lang()) }

func (u *UI) startReport(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := incident.ParseRef(r.PathValue("ref"))
	if err := r.ParseForm(); err != nil {
		u.renderReport(w, r, v, fail.Field("events", "unreadable form"), "")
		return
	}
	events := []int64{}
	for _, s := range r.PostForm["event"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			u.renderReport(w, r, v, fail.Field("event", "not an event id: %q", s), "")
			return
		}
		events = append(events, n)
	}
	if _, err := u.Reports.Start(r.Context(), v.User, id, report.StartOptions{Events: events, Lang: v.Lang}); err != nil {
		u.renderReport(w, r, v, err, "")
		return
	}
	http.Redirect(w, r, "/incidents/"+incident.FormatRef(id)+"/report/edit", http.StatusSeeOther)
}

func (u *UI) editReport(w http.ResponseWriter, r *http.Request, v *view) {
	inc, rep, ok := u.reportOf(w, r, v)
	if !ok {
		return
	}
	if rep == nil {
		http.Redirect(w, r, "/incidents/"+inc.Ref()+"/report", http.StatusSeeOther)
		return
	}
	u.render(w, r, "report_edit", v, reportPage{Inc: inc, Report: rep, Base: rep.Revision,
		Sections: u.Reports.Template().Render(rep.Sections, v.Lang)})
}

// saveReport saves the form, or with action=preview shows it rendered
// without saving: the preview works without JavaScript.
func (u *UI) saveReport(w http.ResponseWriter, r *http.Request, v *view) {
	inc, rep, ok := u.reportOf(w, r, v)
	if !ok {
		return
	}
	if rep == nil {
		http.Redirect(w, r, "/incidents/"+inc.Ref()+"/report", http.StatusSeeOther)
		return
	}
	base, _ := strconv.Atoi(r.PostFormValue("base_revision"))
	sections := map[string]string{}
	for _, s := range u.Reports.Template().Sections {
		if vals, ok := r.PostForm["s."+s.Key]; ok {
			sections[s.Key] = vals[0]
		}
	}
	p := reportPage{Inc: inc, Report: rep, Base: base}
	if r.PostFormValue("action") == "preview" {
		p.Preview = true
		p.Sections = u.Reports.Template().Render(withDefaults(rep.Sections, sections), v.Lang)
		u.render(w, r, "report_edit", v, p)
		return
	}
	if _, err := u.Reports.Save(r.Context(), v.User, inc.ID, base, sections); err != nil {
		if e, isDomain := fail.As(err); isDomain && e.Code != fail.Internal {
			p.Error = e.Error()
			p.Sections = u.Reports.Template().Render(withDefaults(rep.Sections, sections), v.Lang)
			w.WriteHeader(http.StatusBadRequest)
			u.render(w, r, "report_edit", v, p)
			return
		}
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+inc.Ref()+"/report", http.StatusSeeOther)
}

func withDefaults(saved, edited map[string]string) map[string]string {
	out := map[string]string{}
	for k, s := range saved {
		out[k] = s
	}
	for k, s := range edited {
		out[k] = s
	}
	return out
}

type revisionsPage struct {
	Inc       *incident.Incident
	Revisions []report.Revision
	From, To  int
	Diff      []report.SectionDiff
}

func (u *UI) reportRevisions(w http.ResponseWriter, r *http.Request, v *view) {
	inc, rep, ok := u.reportOf(w, r, v)
	if !ok {
		return
	}
	if rep == nil {
		u.fail(w, r, v, fail.New(fail.NotFound, "no report"))
		return
	}
	revs, err := u.Reports.Revisions(r.Context(), v.User, inc.ID)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := revisionsPage{Inc: inc, Revisions: revs, To: rep.Revision, From: rep.Revision - 1}
	if n, err := strconv.Atoi(r.URL.Query().Get("from")); err == nil {
		p.From = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("to")); err == nil {
		p.To = n
	}
	if p.From >= 1 && p.To >= 1 {
		if p.Diff, err = u.Reports.Diff(r.Context(), v.User, inc.ID, p.From, p.To, v.Lang); err != nil {
			u.fail(w, r, v, err)
			return
		}
	}
	u.render(w, r, "report_revisions", v, p)
}

func (u *UI) exportReport(w http.ResponseWriter, r *http.Request, v *view) {
	inc, rep, ok := u.reportOf(w, r, v)
	if !ok {
		return
	}
	format := r.PathValue("format")
	if rep == nil || (format != "md" && format != "html") {
		u.fail(w, r, v, fail.New(fail.NotFound, "no such export"))
		return
	}
	file, ctype, body := api.ExportFile(u.Reports.Template(), inc, rep, format, v.Lang)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	_, _ = w.Write(body)
}

func (u *UI) importReport(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := incident.ParseRef(r.PathValue("ref"))
	base, _ := strconv.Atoi(r.PostFormValue("base_revision"))
	_, imp, err := u.Reports.Import(r.Context(), v.User, id, base, r.PostFormValue("markdown"), v.Lang)
	if err != nil {
		u.renderReport(w, r, v, err, "")
		return
	}
	notice := v.T("report.imported")
	if len(imp.Unmatched) > 0 {
		notice += " " + v.T("report.import_unmatched", strings.Join(imp.Unmatched, ", "))
	}
	u.renderReport(w, r, v, nil, notice)
}

// shareReport asks first (whom, what), then shares; the report page then
// shows each recipient's delivery as the outbox knows it.
func (u *UI) shareReport(w http.ResponseWriter, r *http.Request, v *view) {
	if u.confirmShare(w, r, v) {
		return
	}
	id, _ := incident.ParseRef(r.PathValue("ref"))
	sh, err := u.Reports.Share(r.Context(), v.User, id)
	if err != nil {
		u.renderReport(w, r, v, err, "")
		return
	}
	u.renderReport(w, r, v, nil, v.T("share.sent_notice", sh.Revision, len(sh.Recipients)))
}

type pendingPage struct {
	Items []report.Pending
	Next  string // the following page's cursor, empty at the end
}

func (u *UI) pendingReports(w http.ResponseWriter, r *http.Request, v *view) {
	var after int64
	if s := r.URL.Query().Get("after"); s != "" {
		id, ok := incident.ParseRef(s)
		if !ok {
			u.fail(w, r, v, fail.Field("after", "must be an incident id such as INC-7; got %q", s))
			return
		}
		after = id
	}
	ps, next, err := u.Reports.ListPending(r.Context(), v.User, v.Lang, after)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := pendingPage{Items: ps}
	if next != 0 {
		p.Next = incident.FormatRef(next)
	}
	u.render(w, r, "reports", v, p)
}

// TBDAge is how long a report's oldest TBD section has waited.
func (v *view) TBDAge(rep *report.Report) string {
	if rep == nil {
		return "—"
	}
	age := rep.TBDAge(v.Now)
	if age == 0 {
		return "—"
	}
	return i18n.FormatDuration(age, v.lang())
}

type libraryPage struct {
	Query    url.Values
	Hits     []report.Hit
	Searched bool
	Services []string
	Error    string
}

func (u *UI) library(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	p := libraryPage{Query: q}
	for _, s := range u.Catalog.Services() {
		p.Services = append(p.Services, s.Name)
	}
	if browsing(q) {
		f, err := api.SearchFilter(r, u.Reports.Zone(), u.Catalog)
		if err == nil {
			p.Hits, err = u.Library.Find(r.Context(), v.User, q.Get("q"), f)
		}
		if err != nil {
			msg, ok := u.refusalText(w, r, v, err)
			if !ok {
				return
			}
			p.Error = msg
		}
		p.Searched = true
	}
	u.render(w, r, "library", v, p)
}

// browsing says whether the library was asked anything: words, or a
// filter alone (all of a service's incidents, newest first).
func browsing(q url.Values) bool {
	for _, k := range []string{"q", "service", "grade", "cause", "since", "until"} {
		if strings.TrimSpace(q.Get(k)) != "" {
			return true
		}
	}
	return false
}

type guidePage struct {
	Sections []report.RenderedSection
	Example  []report.RenderedSection
}

func (u *UI) reportGuide(w http.ResponseWriter, r *http.Request, v *view) {
	tmpl := u.Reports.Template()
	u.render(w, r, "guide", v, guidePage{
		Sections: tmpl.Render(nil, v.Lang),
		Example:  tmpl.Render(report.Example(v.Lang), v.Lang),
	})
}

// reportMarkers finds the TBD sections of the listed incidents' reports.
func (u *UI) reportMarkers(r *http.Request, items []*incident.Incident) (map[int64]report.TBDMarker, error) {
	if u.Reports == nil {
		return nil, nil
	}
	ids := make([]int64, len(items))
	for i, inc := range items {
		ids[i] = inc.ID
	}
	return u.Reports.TBDMarkers(r.Context(), ids)
}

// ShortAge is how long ago t was in the largest whole unit, in the
// viewer's language: "3d" or "3일", for a marker with little room.
func (v *view) ShortAge(t time.Time) string { return shortAge(v.Now.Sub(t), v.Lang) }

func shortAge(d time.Duration, lang string) string {
	if d < 0 {
		d = 0
	}
	units := []struct {
		size   time.Duration
		en, ko string
	}{{24 * time.Hour, "d", "일"}, {time.Hour, "h", "시간"}, {time.Minute, "m", "분"}}
	for i, u := range units {
		if d >= u.size || i == len(units)-1 {
			if lang == "ko" {
				return strconv.Itoa(int(d/u.size)) + u.ko
			}
			return strconv.Itoa(int(d/u.size)) + u.en
		}
	}
	return ""
}

// addReportBox puts the incident's report state and similar past
// incidents on its page.
func (u *UI) addReportBox(r *http.Request, v *view, p *incidentPage) error {
	if u.Reports == nil {
		return nil
	}
	_, rep, err := u.Reports.Get(r.Context(), v.User, p.Inc.ID)
	if err != nil {
		return err
	}
	if rep != nil {
		p.Report, p.ReportTBD = rep, len(u.Reports.Template().TBDKeys(rep))
		if rep.SharedRevision > 0 {
			shares, err := u.Reports.Shares(r.Context(), v.User, p.Inc.ID)
			if err != nil {
				return err
			}
			if len(shares) > 0 {
				p.LastShare = &shares[0]
			}
		}
	}
	p.Similar, err = u.Library.Similar(r.Context(), v.User, p.Inc.ID)
	return err
}
