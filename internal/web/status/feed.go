package status

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/statuspage"
)

// The Atom 1.0 document (RFC 4287), only the elements the feed uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Summary   atomText `xml:"summary"`
	Content   atomText `xml:"content"`
}

// feed serves the public page as Atom: one entry per incident, updated when
// it gets a public update or is resolved, its content the updates so far.
// Entry ids are the incident's place on the status page, which never moves.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) {
	if badLang(w, r) {
		return
	}
	p, err := statuspage.Build(r.Context(), h.Store, statuspage.Public, nil, h.Now())
	if err != nil {
		h.Log.ErrorContext(r.Context(), "status feed", "err", err)
		http.Error(w, "the status feed is unavailable; try again shortly", http.StatusServiceUnavailable)
		return
	}
	lang := i18n.Pick(r, r.URL.Query().Get("lang"))
	v := pageView{Page: p, Lang: lang, msgs: i18n.Index(lang), zone: time.UTC}
	base := baseURL(r)
	updated := p.Updated
	if updated.IsZero() {
		updated = time.Unix(0, 0) // no incidents ever: a fixed time keeps the ETag stable
	}
	f := atomFeed{
		Lang: lang, ID: base + "/status", Title: v.T("feed.title"), Updated: atomTime(updated),
		Author: atomPerson{Name: "Firebreak"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/status/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/status"},
		},
	}
	entries := append(slices.Clip(p.Open), p.Resolved...)
	slices.SortStableFunc(entries, func(a, b statuspage.Entry) int { return b.Updated.Compare(a.Updated) })
	for _, e := range entries {
		inc := e.Incident
		href := base + "/status#" + inc.Ref()
		var content strings.Builder
		for _, u := range e.Updates {
			content.WriteString(v.Time(u.At) + "\n" + v.Text(u) + "\n\n")
		}
		services := strings.Join(inc.Services, ", ")
		if services == "" {
			services = "—"
		}
		f.Entries = append(f.Entries, atomEntry{
			ID: href, Title: inc.Ref() + " " + inc.Title, Updated: atomTime(e.Updated), Published: atomTime(inc.CreatedAt),
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: href},
			Summary: atomText{Type: "text", Body: v.T("feed.status", v.StatusName(inc.Status), services)},
			Content: atomText{Type: "text", Body: cmpOr(strings.TrimSpace(content.String()), v.T("inc.no_updates"))},
		})
	}
	body, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		h.Log.ErrorContext(r.Context(), "status feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeCached(w, r, append([]byte(xml.Header), body...), "application/atom+xml; charset=utf-8", lang, "public")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// baseURL is the address the client used to reach this server, for the
// feed's absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
