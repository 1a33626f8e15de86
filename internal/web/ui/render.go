package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
	_ "time/tzdata" // viewers' time zones work on machines without a zone database

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// pages holds one parsed template set per page: the layout plus that page.
type pages struct {
	byName map[string]*template.Template
}

// assetVersion maps a static file to a short hash of its content, so its URL
// changes whenever it does.
var assetVersion = map[string]string{}

func init() {
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(staticFS, p)
		sum := sha256.Sum256(b)
		assetVersion[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		return nil
	})
}

var funcs = template.FuncMap{
	"asset":      func(name string) string { return "/static/" + name + "?v=" + assetVersion[name] },
	"gradeClass": func(g incident.Grade) string { return "sev" + fmt.Sprint(int(g)) },
	"join":       func(xs []string) string { return strings.Join(xs, ", ") },
	"ref":        incident.FormatRef,
	"grades": func() []incident.Grade {
		return []incident.Grade{incident.SEV1, incident.SEV2, incident.SEV3, incident.SEV4, incident.SEV5}
	},
	"statuses": func() []incident.Status { return incident.Statuses },
	"roles":    func() []incident.Role { return incident.Roles },
	"visibilities": func() []incident.Visibility {
		return []incident.Visibility{incident.Internal, incident.Public, incident.Restricted}
	},
	"contains": func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	},
	"isoTime":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"deref":            func(t *time.Time) time.Time { return *t },
	"ptr":              func(t time.Time) *time.Time { return &t },
	"roleOf":           func(inc *incident.Incident, role string) string { return inc.Roles[incident.Role(role)] },
	"silenceMatchers":  silenceMatchers,
	"silenceDurations": silenceDurations,
	"hours":            func(d string, lang string) string { v, _ := time.ParseDuration(d); return formatHours(v, lang) },
	// dict passes the page's view along with an item to a sub-template.
	"dict": func(d pageData, item any) pageData { return pageData{d.view, item} },
}

func mustParsePages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	// partial*.html hold the pieces pages share; one file per feature.
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partial*.html"))
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "partial") {
			continue
		}
		t := template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p
}

// pageData is what a page template sees: the view's helpers and the page's
// own data as .P.
type pageData struct {
	*view
	P any
}

// render writes a whole page. It renders into a buffer first, so a template
// error becomes a clean 500 instead of half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, name string, v *view, p any) {
	var buf bytes.Buffer
	if err := u.pages.byName[name].ExecuteTemplate(&buf, "layout.html", pageData{v, p}); err != nil {
		u.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang)
	_, _ = w.Write(buf.Bytes())
}

// fragment renders one named template (a table body, a timeline row) for the
// live views.
func (u *UI) fragment(name string, v *view, p any) (string, error) {
	var buf bytes.Buffer
	err := u.pages.byName["incident"].ExecuteTemplate(&buf, name, pageData{v, p})
	return buf.String(), err
}

// Time shows a time in the viewer's zone.
func (v *view) Time(t time.Time) string { return t.In(v.Zone).Format("2006-01-02 15:04 MST") }

// TimeP shows an optional time, or "—".
func (v *view) TimeP(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return v.Time(*t)
}

// Clock shows only the time of day, for timeline rows.
func (v *view) Clock(t time.Time) string { return t.In(v.Zone).Format("01-02 15:04:05") }

// Elapsed says how long ago t was, e.g. "3h 12m".
func (v *view) Elapsed(from time.Time, to *time.Time) string {
	end := v.Now
	if to != nil {
		end = *to
	}
	return i18n.FormatDuration(end.Sub(from), v.lang())
}

// ZoneName names the viewer's zone.
func (v *view) ZoneName() string { return v.Zone.String() }

// StatusName is a status in the viewer's language.
func (v *view) StatusName(s incident.Status) string { return v.T("status." + string(s)) }

// RoleName is a role in the viewer's language.
func (v *view) RoleName(r incident.Role) string { return v.T("role." + string(r)) }

// GradeGuide is the grade's guide text in the viewer's language.
func (v *view) GradeGuide(g incident.Grade) string { return v.T("grade." + g.String() + ".guide") }

// EventText describes a timeline event in the viewer's language.
func (v *view) EventText(ev incident.Event) string {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	if text, ok := v.messageEventText(ev); ok {
		return text
	}
	if text, ok := v.playbookEventText(ev); ok {
		return text
	}
	if ev.Kind == maintenance.EventActive {
		return v.T("ev.maintenance_active", s("window"), s("title"))
	}
	if ev.Kind == maintenance.EventOverlap {
		until := s("ends_at")
		if t, err := time.Parse(time.RFC3339, until); err == nil {
			until = v.Time(t)
		}
		return v.T("ev.maintenance_overlap", s("window"), s("title"), until)
	}
	switch ev.Kind {
	case incident.EventDeclared:
		return v.T("ev.declared", s("grade"))
	case incident.EventStatusChanged:
		text := v.T("ev.status_changed", v.StatusName(incident.Status(s("from"))), v.StatusName(incident.Status(s("to"))))
		if m := s("message"); m != "" {
			text += " — " + m
		}
		return text
	case incident.EventGradeChanged:
		return v.T("ev.grade_changed", s("from"), s("to"))
	case incident.EventRoleAssigned:
		if s("user") == "" {
			return v.T("ev.role_cleared", v.RoleName(incident.Role(s("role"))))
		}
		return v.T("ev.role_assigned", s("user"), v.RoleName(incident.Role(s("role"))))
	case incident.EventFieldsChanged:
		return v.T("ev.fields_changed", v.FieldNames(ev.Data))
	case incident.EventNote:
		return s("text")
	case incident.EventUpdateOverdue:
		return v.overdueText(ev)
	case incident.EventStatusUpdate:
		return s("text")
	case "signal_joined":
		return v.T("ev.signal_joined", s("source"), s("title"))
	case "signal_status":
		return v.T("ev.signal_status", s("source"), s("status"), s("title"))
	case flag.EventFlipped:
		return v.flagEventText(ev)
	}
	if text, ok := v.changeEventText(ev); ok {
		return text
	}
	return v.reviewEventText(ev)
}

// EventLabel names an event's kind in the viewer's language, from the one
// registry of event wording.
func (v *view) EventLabel(ev incident.Event) string { return eventtext.Label(ev.Kind, v.lang()) }
