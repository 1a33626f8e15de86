package report

import (
	"context"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/search"
)

// SearchFilter selects and bounds a search of the library.
type SearchFilter struct {
	Query   search.Query
	Service string
	Cause   string
	Grades  []incident.Grade
	Since   time.Time // started at or after
	Until   time.Time // started before
	Exclude int64     // an incident to leave out (the one similar ones are found for)
	Limit   int
	// VisibleTo is whose view this is; restricted incidents they are not a
	// member of are left out unless SeeAll.
	VisibleTo string
	SeeAll    bool
}

// Filtered reports whether the filter narrows the library by anything but
// words: a search of filters alone browses, newest first.
func (f SearchFilter) Filtered() bool {
	return f.Service != "" || f.Cause != "" || len(f.Grades) > 0 || !f.Since.IsZero() || !f.Until.IsZero()
}

// Hit is one search result.
type Hit struct {
	IncidentID int64           `json:"-"`
	Title      string          `json:"title"`
	Snippet    string          `json:"snippet"`
	Grade      incident.Grade  `json:"grade"`
	Status     incident.Status `json:"status"`
	HasReport  bool            `json:"has_report"`
	StartedAt  time.Time       `json:"started_at"`
	Score      float64         `json:"score"`
}

// Ref is the hit's incident id, e.g. "INC-42".
func (h Hit) Ref() string { return incident.FormatRef(h.IncidentID) }

// Index is the full-text index of incidents and their reports.
type Index interface {
	Find(ctx context.Context, f SearchFilter) ([]Hit, error)
}

// Library is the searchable collection of past incidents and reports.
type Library struct {
	Index     Index
	Incidents *incident.Service
}

// maxQuery bounds what a search may be asked.
const maxQuery = 500

// Find searches the library as the user sees it; f.Query comes from text.
func (l *Library) Find(ctx context.Context, by auth.User, text string, f SearchFilter) ([]Hit, error) {
	if len(text) > maxQuery {
		return nil, fail.Field("q", "is longer than %d bytes", maxQuery)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return nil, fail.Field("until", "must be after since")
	}
	if f.Limit < 0 || f.Limit > 100 {
		return nil, fail.Field("limit", "must be 1-100")
	}
	f.Query = search.Parse(text)
	if f.Query.Empty() && !f.Filtered() {
		return []Hit{}, nil // nothing asked
	}
	f.VisibleTo, f.SeeAll = by.Name, by.IsAdmin()
	return l.Index.Find(ctx, f)
}

// similarLimit is how many similar incidents a page lists.
const similarLimit = 5

// Similar returns past incidents close to one: any of the words of its
// title, its services or its cause tags, best first.
func (l *Library) Similar(ctx context.Context, by auth.User, id int64) ([]Hit, error) {
	inc, err := l.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	text := inc.Title + " " + strings.Join(inc.Services, " ") + " " + strings.Join(inc.CauseTags, " ")
	q := search.Parse(text + " ") // a trailing space: no word is half typed
	if q.Empty() {
		return []Hit{}, nil
	}
	q.Any = true
	return l.Index.Find(ctx, SearchFilter{Query: q, Exclude: id, Limit: similarLimit, Until: inc.StartedAt.Add(time.Second),
		VisibleTo: by.Name, SeeAll: by.IsAdmin()})
}
