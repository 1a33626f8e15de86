package report

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

var mailText = map[string]map[string]string{
	"en": {
		"subject.first":  "[%s] Incident report: %s",
		"subject.update": "[%s] Incident report updated (rev %d): %s",
		"intro.first":    "The first report of %s. Sections marked TBD will follow.",
		"intro.update":   "The report of %s changed since revision %d. What changed:",
		"still_tbd":      "Still TBD: %s",
		"link":           "The whole report: %s",
		"subject.remind": "[%s] Your incident report needs you: %s",
		"remind.overdue": "The first report of %s was due at %s and has not been shared.",
		"remind.tbd":     "These sections are still TBD: %s.",
		"remind.open":    "Open the report: %s",
		"none":           "(none)",
	},
	"ko": {
		"subject.first":  "[%s] 장애 보고서: %s",
		"subject.update": "[%s] 장애 보고서 갱신 (rev %d): %s",
		"intro.first":    "%s 장애의 1차 보고서입니다. TBD로 표시된 항목은 이후 공유합니다.",
		"intro.update":   "%s 장애 보고서가 rev %d 이후 변경되었습니다. 변경된 항목:",
		"still_tbd":      "아직 TBD인 항목: %s",
		"link":           "전체 보고서: %s",
		"subject.remind": "[%s] 장애 보고서 작성이 필요합니다: %s",
		"remind.overdue": "%s 장애의 1차 보고서 기한(%s)이 지났지만 아직 공유되지 않았습니다.",
		"remind.tbd":     "아직 TBD인 항목: %s.",
		"remind.open":    "보고서 열기: %s",
		"none":           "(없음)",
	},
}

func mt(lang, key string, args ...any) string {
	m := mailText[lang]
	if m == nil {
		m = mailText["en"]
	}
	return fmt.Sprintf(m[key], args...)
}

func (s *Service) reportURL(inc *incident.Incident) string {
	return strings.TrimRight(s.BaseURL, "/") + "/incidents/" + inc.Ref() + "/report"
}

func (s *Service) tbdTitles(r *Report, lang string) string {
	var titles []string
	for _, k := range s.Template().TBDKeys(r) {
		sec, _ := s.Template().Section(k)
		titles = append(titles, sec.TitleIn(lang))
	}
	if len(titles) == 0 {
		return mt(lang, "none")
	}
	return strings.Join(titles, ", ")
}

// shareMail writes one recipient's e-mail: the whole report on the first
// share, the changed sections (with a diff) afterwards.
func (s *Service) shareMail(inc *incident.Incident, r *Report, previous *Revision, changed []SectionDiff, lang string) Mail {
	h := HeaderOf(inc, r.Revision)
	tmpl := s.Template()
	if previous == nil {
		var text strings.Builder
		text.WriteString(mt(lang, "intro.first", inc.Ref()) + "\n\n")
		text.WriteString(tmpl.ExportMarkdown(h, r.Sections, lang))
		text.WriteString("\n" + mt(lang, "link", s.reportURL(inc)) + "\n")
		return Mail{Subject: mt(lang, "subject.first", inc.Ref(), inc.Title), Text: text.String(),
			HTML: string(tmpl.ExportHTML(h, r.Sections, lang))}
	}
	var text strings.Builder
	text.WriteString(mt(lang, "intro.update", inc.Ref(), previous.Number) + "\n")
	for _, d := range changed {
		fmt.Fprintf(&text, "\n## %s\n\n%s\n", d.Title, strings.TrimSpace(r.Sections[d.Key]))
	}
	text.WriteString("\n" + mt(lang, "still_tbd", s.tbdTitles(r, lang)) + "\n")
	text.WriteString(mt(lang, "link", s.reportURL(inc)) + "\n")
	var html bytes.Buffer
	_ = updateHTML.Execute(&html, map[string]any{
		"Intro": mt(lang, "intro.update", inc.Ref(), previous.Number), "Changed": changed, "Sections": r.Sections,
		"TBD": mt(lang, "still_tbd", s.tbdTitles(r, lang)), "Lang": lang, "Title": h.Ref + ": " + h.Title,
		"Render": RenderMarkdown, "Link": s.reportURL(inc),
	})
	return Mail{Subject: mt(lang, "subject.update", inc.Ref(), r.Revision, inc.Title), Text: text.String(), HTML: html.String()}
}

var updateHTML = template.Must(template.New("update").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 50rem">
<h1>{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Changed}}<h2>{{.Title}}</h2>
{{call $.Render (index $.Sections .Key)}}
{{end}}<p>{{.TBD}}</p>
<p><a href="{{.Link}}">{{.Link}}</a></p>
</body></html>
`))

// remindBatch bounds one reminder run; the next run picks up the rest.
const remindBatch = 200

// Remind e-mails the owners of reports that need them — a first report
// past its deadline, or sections still TBD — at most once per RemindEvery
// each, and flags an overdue first report on the incident's timeline. It
// returns how many owners it reminded.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	pending, err := s.Store.ListPending(ctx, remindBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pending {
		overdue := p.Overdue(now)
		if !overdue && len(p.TBDSince) == 0 {
			continue
		}
		if p.RemindedAt != nil && now.Sub(*p.RemindedAt) < s.Config.RemindEvery {
			continue
		}
		if !overdue && oldestTBD(p).After(now.Add(-s.Config.RemindEvery)) {
			continue // give the writer a day before the first nudge
		}
		owner, err := s.Users.UserByName(ctx, p.Owner)
		if err != nil && fail.CodeOf(err) != fail.NotFound {
			return sent, err
		}
		inc, err := s.Incidents.Get(ctx, auth.User{Name: "firebreak", Role: auth.Admin}, p.IncidentID)
		if err != nil {
			return sent, err
		}
		_, err = s.Store.UpdateReport(ctx, p.IncidentID, func(r *Report) (Change, error) {
			var ch Change
			if r.Overdue(now) && r.RemindedAt == nil {
				ch.Events = append(ch.Events, incident.Event{Kind: EventOverdue, Actor: "firebreak", At: now,
					Data: map[string]any{"due_at": r.DueAt.Format(time.RFC3339), "owner": r.Owner}})
			}
			r.RemindedAt = &now
			if owner.Email != "" {
				ch.Mails = append(ch.Mails, s.reminder(inc, r, owner, now))
				ch.Events = append(ch.Events, incident.Event{Kind: EventReminded, Actor: "firebreak", At: now,
					Data: map[string]any{"owner": r.Owner, "tbd": s.Template().TBDKeys(r), "overdue": r.Overdue(now)}})
			}
			return ch, nil
		})
		if err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func oldestTBD(r *Report) time.Time {
	var oldest time.Time
	for _, t := range r.TBDSince {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return oldest
}

func (s *Service) reminder(inc *incident.Incident, r *Report, owner auth.User, now time.Time) Mail {
	lang := r.Lang
	var b strings.Builder
	if r.Overdue(now) {
		b.WriteString(mt(lang, "remind.overdue", inc.Ref(), r.DueAt.In(s.Zone()).Format("2006-01-02 15:04 MST")) + "\n")
	}
	if len(r.TBDSince) > 0 {
		b.WriteString(mt(lang, "remind.tbd", s.tbdTitles(r, lang)) + "\n")
	}
	b.WriteString("\n" + mt(lang, "remind.open", s.reportURL(inc)) + "\n")
	return Mail{Key: fmt.Sprintf("report:%d:remind:%s", inc.ID, now.Format(time.RFC3339)), To: owner.Email, Lang: lang,
		Subject: mt(lang, "subject.remind", inc.Ref(), inc.Title), Text: b.String()}
}

// Pending is a report that needs work, with its incident.
type Pending struct {
	Incident *incident.Incident
	Report   *Report
	TBD      []string // section titles
}

// ListPending returns the reports the user may see that have TBD sections
// or a first report not yet shared.
func (s *Service) ListPending(ctx context.Context, by auth.User, lang string) ([]Pending, error) {
	rs, err := s.Store.ListPending(ctx, remindBatch)
	if err != nil {
		return nil, err
	}
	var out []Pending
	for _, r := range rs {
		inc, err := s.Incidents.Get(ctx, by, r.IncidentID)
		if fail.CodeOf(err) == fail.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		p := Pending{Incident: inc, Report: r}
		for _, k := range s.Template().TBDKeys(r) {
			sec, _ := s.Template().Section(k)
			p.TBD = append(p.TBD, sec.TitleIn(lang))
		}
		out = append(out, p)
	}
	return out, nil
}
