package ui

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// insightRoutes serve the insights page and each chart's numbers as CSV.
func (u *UI) insightRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /insights", u.insights)
	signedIn("GET /insights/csv/{chart}", u.insightsCSV)
}

type durationFigure struct {
	Measure insight.Measure
	SVG     template.HTML
}

type insightsPage struct {
	Q         insight.Query
	By        string
	Dims      []string
	Report    *insight.Report
	Groups    []insight.Group
	Error     string
	Teams     []catalog.Team
	Services  []catalog.Service
	Counts    template.HTML
	Heat      template.HTML
	Ages      template.HTML
	Durations []durationFigure
	// Query is the filters as a URL query, for the CSV links.
	Query template.URL
}

// insightQuery reads the filters from the URL; by is the breakdown shown.
func insightQuery(r *http.Request) (insight.Query, string, error) {
	q := r.URL.Query()
	iq := insight.Query{Period: q.Get("period"), Bucket: q.Get("bucket"), Team: q.Get("team"), Service: q.Get("service")}
	for _, g := range q["grade"] {
		if g != "" {
			iq.Grades = append(iq.Grades, g)
		}
	}
	by := q.Get("by")
	if by == "" {
		by = "grade"
	}
	if !slices.Contains(insight.Dimensions, by) {
		return iq, by, fail.Field("by", "must be one of grade, service, team, cause, source; got %q", by)
	}
	return iq, by, nil
}

func (u *UI) insightReport(r *http.Request, v *view) (*insight.Report, insight.Query, string, error) {
	q, by, err := insightQuery(r)
	if err != nil {
		return nil, q, by, err
	}
	if u.Insights == nil {
		return nil, q, by, fail.New(fail.NotFound, "insights are not set up")
	}
	rep, err := u.Insights.Report(r.Context(), v.User, q)
	return rep, q, by, err
}

func (u *UI) insights(w http.ResponseWriter, r *http.Request, v *view) {
	rep, q, by, err := u.insightReport(r, v)
	p := insightsPage{Q: q, By: by, Dims: insight.Dimensions}
	if u.Catalog != nil {
		p.Teams, p.Services = u.Catalog.Teams(), u.Catalog.Services()
	}
	if err != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, err); !ok {
			return
		}
		u.render(w, r, "insights", v, p)
		return
	}
	p.Report = rep
	p.Query = template.URL(r.URL.Query().Encode()) // already query-escaped
	p.Groups = rep.By[by]
	p.Counts = countsChart(v, rep.Counts)
	p.Heat = heatmapChart(v, rep.Heatmap)
	p.Ages = agesChart(v, rep.Items.OpenAges)
	for _, m := range insight.Measures {
		p.Durations = append(p.Durations, durationFigure{Measure: m, SVG: durationChart(v, "chart-"+string(m), m, p.Groups)})
	}
	u.render(w, r, "insights", v, p)
}

// insightsCSV sends one chart's numbers: counts, durations, heatmap or
// items.
func (u *UI) insightsCSV(w http.ResponseWriter, r *http.Request, v *view) {
	chart := r.PathValue("chart")
	if !slices.Contains([]string{"counts", "durations", "heatmap", "items"}, chart) {
		u.fail(w, r, v, fail.Field("chart", "must be counts, durations, heatmap or items; got %q", chart))
		return
	}
	rep, _, by, err := u.insightReport(r, v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="insights-%s-%s.csv"`, chart, url.PathEscape(rep.Period.Name)))
	cw := csv.NewWriter(w)
	for _, rec := range insightRecords(rep, chart, by) {
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// insightRecords is a chart's table as CSV rows, header first. Durations
// are in seconds so spreadsheets can sum them.
func insightRecords(rep *insight.Report, chart, by string) [][]string {
	itoa := strconv.Itoa
	var out [][]string
	switch chart {
	case "counts":
		out = append(out, []string{"bucket", "SEV1", "SEV2", "SEV3", "SEV4", "SEV5", "total"})
		for _, c := range rep.Counts {
			out = append(out, []string{c.Label, itoa(c.ByGrade[0]), itoa(c.ByGrade[1]), itoa(c.ByGrade[2]), itoa(c.ByGrade[3]), itoa(c.ByGrade[4]), itoa(c.Total)})
		}
	case "durations":
		head := []string{by, "incidents"}
		for _, m := range insight.Measures {
			head = append(head, string(m)+"_count", string(m)+"_median_seconds", string(m)+"_p90_seconds")
		}
		out = append(out, head)
		for _, g := range rep.By[by] {
			rec := []string{g.Key, itoa(g.Incidents)}
			for _, m := range insight.Measures {
				s := g.Stats[m]
				rec = append(rec, itoa(s.Count), strconv.FormatInt(s.MedianSeconds, 10), strconv.FormatInt(s.P90Seconds, 10))
			}
			out = append(out, rec)
		}
	case "heatmap":
		out = append(out, append([]string{"service"}, rep.Heatmap.Months...))
		for i, s := range rep.Heatmap.Services {
			rec := []string{s}
			for _, n := range rep.Heatmap.Cells[i] {
				rec = append(rec, itoa(n))
			}
			out = append(out, rec)
		}
	case "items":
		out = append(out, []string{"term", "category", "open", "median_age_days", "max_age_days"})
		for _, a := range rep.Items.OpenAges {
			out = append(out, []string{a.Term, a.Category, itoa(a.Open), itoa(a.MedianDays), itoa(a.MaxDays)})
		}
	}
	return out
}

// Percent shows a share as a whole percentage.
func (v *view) Percent(part, whole int) string {
	if whole == 0 {
		return "—"
	}
	return strconv.Itoa(part*100/whole) + "%"
}

// Dur shows a duration of seconds as the page does elsewhere.
func (v *view) Dur(s insight.Stat, median bool) string {
	if s.Count == 0 {
		return "—"
	}
	if median {
		return i18n.FormatDuration(s.Median, v.lang())
	}
	return i18n.FormatDuration(s.P90, v.lang())
}

// StatOf is a group's figures for one measure (templates cannot index a
// map by a named string type).
func (v *view) StatOf(g insight.Group, m insight.Measure) insight.Stat { return g.Stats[m] }
