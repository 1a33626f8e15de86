package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// insightRoutes give the insights page's numbers as JSON: the whole report,
// or one part of it. Restricted incidents count only for those who may see
// them.
func (a *API) insightRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/insights", Need: NeedRead, handle: a.insights},
		{Method: "GET", Path: "/insights/{part}", Need: NeedRead, handle: a.insightPart},
	}
}

// insightParts are the parts /insights/{part} serves.
var insightParts = []string{"durations", "counts", "heatmap", "recurrence", "action-items", "reviews"}

// insightQuery reads the query string: period, bucket, team, service and
// grade (repeated, or comma-separated).
func insightQuery(r *http.Request) insight.Query {
	q := r.URL.Query()
	iq := insight.Query{Period: q.Get("period"), Bucket: q.Get("bucket"), Team: q.Get("team"), Service: q.Get("service")}
	for _, g := range q["grade"] {
		for _, one := range strings.Split(g, ",") {
			if one = strings.TrimSpace(one); one != "" {
				iq.Grades = append(iq.Grades, one)
			}
		}
	}
	return iq
}

func (a *API) insightReport(r *http.Request, u auth.User) (*insight.Report, error) {
	if a.Insights == nil {
		return nil, fail.New(fail.NotFound, "insights are not set up")
	}
	return a.Insights.Report(r.Context(), u, insightQuery(r))
}

func (a *API) insights(w http.ResponseWriter, r *http.Request, u auth.User) error {
	rep, err := a.insightReport(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (a *API) insightPart(w http.ResponseWriter, r *http.Request, u auth.User) error {
	part := r.PathValue("part")
	if !slices.Contains(insightParts, part) {
		return fail.New(fail.NotFound, "no insight %q; the parts are %s", part, strings.Join(insightParts, ", "))
	}
	by := r.URL.Query().Get("by")
	if part == "durations" && by != "" && !slices.Contains(insight.Dimensions, by) {
		return fail.Field("by", "must be one of %s; got %q", strings.Join(insight.Dimensions, ", "), by)
	}
	rep, err := a.insightReport(r, u)
	if err != nil {
		return err
	}
	head := map[string]any{"period": rep.Period, "time_zone": rep.Zone, "incidents": rep.Incidents, "truncated": rep.Truncated}
	switch part {
	case "durations":
		head["overall"] = rep.Overall
		if by != "" {
			head["by"] = map[string][]insight.Group{by: rep.By[by]}
		} else {
			head["by"] = rep.By
		}
	case "counts":
		head["bucket"], head["counts"] = rep.Bucket, rep.Counts
	case "heatmap":
		head["heatmap"] = rep.Heatmap
	case "recurrence":
		head["recurrence"] = rep.Recurrence
	case "action-items":
		head["action_items"] = rep.Items
	case "reviews":
		head["reviews"] = rep.Reviews
	}
	writeJSON(w, http.StatusOK, head)
	return nil
}
