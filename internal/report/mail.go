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
		"subject.first":    "[%s] Incident report: %s",
		"subject.update":   "[%s] Incident report updated (rev %d): %s",
		"intro.first":      "The first report of %s. Sections marked TBD will follow.",
		"intro.update":     "The report of %s changed since revision %d. What changed:",
		"still_tbd":        "Still TBD: %s",
		"link":             "The whole report: %s",
		"subject.remind":   "[%s] Your incident report needs you: %s",
		"remind.overdue":   "The first report of %s was due at %s and has not been shared.",
		"remind.unstarted": "The first report of %s was due at %s and nobody has started it. You are its owner until someone does.",
		"remind.tbd":       "These sections are still TBD: %s.",
		"remind.open":      "Open the report: %s",
		"none":             "(none)",
	},
	"ko": {
		"subject.first":    "[%s] 장애 보고서: %s",
		"subject.update":   "[%s] 장애 보고서 갱신 (rev %d): %s",
		"intro.first":      "%s 장애의 1차 보고서입니다. TBD로 표시된 항목은 이후 공유합니다.",
		"intro.update":     "%s 장애 보고서가 rev %d 이후 변경되었습니다. 변경된 항목:",
		"still_tbd":        "아직 TBD인 항목: %s",
		"link":             "전체 보고서: %s",
		"subject.remind":   "[%s] 장애 보고서 작성이 필요합니다: %s",
		"remind.overdue":   "%s 장애의 1차 보고서 기한(%s)이 지났지만 아직 공유되지 않았습니다.",
		"remind.unstarted": "%s 장애의 1차 보고서 기한(%s)이 지났지만 아직 아무도 작성을 시작하지 않았습니다. 누군가 시작할 때까지 작성 담당은 당신입니다.",
		"remind.tbd":       "아직 TBD인 항목: %s.",
		"remind.open":      "보고서 열기: %s",
		"none":             "(없음)",
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

// remindBatch bounds one query of a reminder run; the run pages through
// all, so no report waits behind others.
const remindBatch = 200

// systemUser reads incidents for background work.
var systemUser = auth.User{Name: "firebreak", Role: auth.Admin}

// Remind e-mails the owners of first reports that need them — past the
// deadline, or with sections still TBD — at most once per RemindEvery
// each, and flags a late first report on the incident's timeline once.
// Incidents whose report nobody started count too: their owner is the
// communicator, else the resolver, else the declarer. It returns how many
// owners it reminded.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	q := PendingQuery{Limit: remindBatch, NotRemindedSince: now.Add(-s.Config.RemindEvery)}
	sent := 0
	for {
		page, err := s.Store.ListPending(ctx, q)
		if err != nil {
			return sent, err
		}
		for _, p := range page {
			ok, err := s.remindReport(ctx, p, now)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].IncidentID
	}
	q.After = 0
	cutoffs := overdueCutoffs(s.policy(), now)
	for {
		ids, err := s.Store.ListUnstarted(ctx, q, cutoffs)
		if err != nil {
			return sent, err
		}
		for _, id := range ids {
			ok, err := s.remindUnstarted(ctx, id, now)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(ids) < q.Limit {
			break
		}
		q.After = ids[len(ids)-1]
	}
	return sent, nil
}

func (s *Service) remindReport(ctx context.Context, p *Report, now time.Time) (bool, error) {
	inc, err := s.Incidents.Get(ctx, systemUser, p.IncidentID)
	if err != nil {
		return false, err
	}
	due := s.Deadline(inc)
	p.DueAt = due
	overdue := p.Overdue(now)
	if !overdue && len(p.TBDSince) == 0 {
		return false, nil
	}
	if p.RemindedAt != nil && now.Sub(*p.RemindedAt) < s.Config.RemindEvery {
		return false, nil
	}
	if !overdue && oldestTBD(p).After(now.Add(-s.Config.RemindEvery)) {
		return false, nil // give the writer a day before the first nudge
	}
	owner, err := s.Users.UserByName(ctx, p.Owner)
	if err != nil && fail.CodeOf(err) != fail.NotFound {
		return false, err
	}
	reminded := false
	_, err = s.Store.UpdateReport(ctx, p.IncidentID, func(r *Report) (Change, error) {
		var ch Change
		// Asked again on the locked row: another run (a second replica's,
		// or one started by hand) may have reminded since the list was read.
		if r.RemindedAt != nil && now.Sub(*r.RemindedAt) < s.Config.RemindEvery {
			return ch, nil
		}
		reminded = true
		r.DueAt = due
		if r.Overdue(now) && !r.OverdueFlagged {
			ch.Events = append(ch.Events, overdueEvent(r.DueAt, r.Owner, now))
		}
		r.RemindedAt = &now
		if owner.Email != "" {
			ch.Mails = append(ch.Mails, s.reminder(inc, r, r.Owner, owner.Email, now))
			ch.Events = append(ch.Events, incident.Event{Kind: EventReminded, Actor: "firebreak", At: now,
				Data: map[string]any{"owner": r.Owner, "tbd": s.Template().TBDKeys(r), "overdue": r.Overdue(now)}})
		}
		return ch, nil
	})
	return err == nil && reminded, err
}

// remindUnstarted flags and reminds the owner of an incident whose first
// report is late and was never started. With no report row to note the
// reminder on, the timeline's report_reminded events say when it was.
func (s *Service) remindUnstarted(ctx context.Context, id int64, now time.Time) (bool, error) {
	inc, err := s.Incidents.Get(ctx, systemUser, id)
	if err != nil {
		return false, err
	}
	due := s.Deadline(inc)
	if !now.After(due) {
		return false, nil
	}
	name := FirstOwner(inc)
	owner, err := s.Users.UserByName(ctx, name)
	if err != nil && fail.CodeOf(err) != fail.NotFound {
		return false, err
	}
	reminded := false
	err = s.Store.RemindUnstarted(ctx, id, func(st Unstarted) (Change, error) {
		var ch Change
		if !st.OverdueFlagged {
			ch.Events = append(ch.Events, overdueEvent(due, name, now))
		}
		if st.RemindedAt != nil && now.Sub(*st.RemindedAt) < s.Config.RemindEvery {
			return ch, nil
		}
		// The event is written even without an address, so the owner is
		// not looked for again before RemindEvery.
		r := &Report{IncidentID: id, Owner: name, Lang: s.lang(), DueAt: due, TBDSince: map[string]time.Time{}}
		if owner.Email != "" {
			ch.Mails = append(ch.Mails, s.reminder(inc, r, name, owner.Email, now))
		}
		ch.Events = append(ch.Events, incident.Event{Kind: EventReminded, Actor: "firebreak", At: now,
			Data: map[string]any{"owner": name, "tbd": []string{}, "overdue": true, "started": false, "mailed": owner.Email != ""}})
		reminded = owner.Email != ""
		return ch, nil
	})
	return reminded, err
}

func overdueEvent(due time.Time, owner string, now time.Time) incident.Event {
	return incident.Event{Kind: EventOverdue, Actor: "firebreak", At: now,
		Data: map[string]any{"due_at": due.Format(time.RFC3339), "owner": owner}}
}

// lang is the language of mails to an owner who has not chosen one by
// starting a report: the policy's.
func (s *Service) lang() string {
	if s.Policy != nil && s.Policy.Language == "ko" {
		return "ko"
	}
	return "en"
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

// TBDAge is how long the report's oldest TBD section has waited; zero
// when none is TBD.
func (r *Report) TBDAge(now time.Time) time.Duration {
	oldest := oldestTBD(r)
	if oldest.IsZero() {
		return 0
	}
	return now.Sub(oldest)
}

func (s *Service) reminder(inc *incident.Incident, r *Report, owner, to string, now time.Time) Mail {
	lang := r.Lang
	var b strings.Builder
	if r.Overdue(now) {
		key := "remind.overdue"
		if r.Revision == 0 {
			key = "remind.unstarted"
		}
		b.WriteString(mt(lang, key, inc.Ref(), r.DueAt.In(s.Zone()).Format("2006-01-02 15:04 MST")) + "\n")
	}
	if len(r.TBDSince) > 0 {
		b.WriteString(mt(lang, "remind.tbd", s.tbdTitles(r, lang)) + "\n")
	}
	b.WriteString("\n" + mt(lang, "remind.open", s.reportURL(inc)) + "\n")
	return Mail{Key: fmt.Sprintf("report:%d:remind:%s:%s", inc.ID, owner, now.Format(time.RFC3339)), To: to, Lang: lang,
		Subject: mt(lang, "subject.remind", inc.Ref(), inc.Title), Text: b.String()}
}

// Pending is an incident whose report needs work: one with TBD sections or
// a first report not shared yet, or a late first report nobody started
// (Report nil).
type Pending struct {
	Incident *incident.Incident
	Report   *Report
	Owner    string
	DueAt    time.Time
	Overdue  bool
	TBD      []string // section titles
}

// pendingPage bounds one page of the reports page.
const pendingPage = 100

// ListPending returns a page of the reports the user may see that have TBD
// sections or a first report not yet shared, and of the incidents whose
// first report is late and not started, in incident order from after
// the cursor. next is the cursor of the following page, 0 at the end.
func (s *Service) ListPending(ctx context.Context, by auth.User, lang string, after int64) (items []Pending, next int64, err error) {
	now := s.Now().UTC()
	q := PendingQuery{After: after, Limit: pendingPage}
	rs, err := s.Store.ListPending(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.Store.ListUnstarted(ctx, q, overdueCutoffs(s.policy(), now))
	if err != nil {
		return nil, 0, err
	}
	// Both lists are complete up to their last incident; merged, the first
	// page's worth is complete up to its own last one.
	type entry struct {
		id int64
		r  *Report
	}
	merged := make([]entry, 0, len(rs)+len(ids))
	i, j := 0, 0
	for i < len(rs) || j < len(ids) {
		if j == len(ids) || (i < len(rs) && rs[i].IncidentID < ids[j]) {
			merged = append(merged, entry{rs[i].IncidentID, rs[i]})
			i++
		} else {
			merged = append(merged, entry{ids[j], nil})
			j++
		}
	}
	if len(merged) > pendingPage {
		merged = merged[:pendingPage]
	}
	if len(merged) > 0 && (len(rs) == q.Limit || len(ids) == q.Limit) {
		next = merged[len(merged)-1].id
	}
	for _, e := range merged {
		inc, err := s.Incidents.Get(ctx, by, e.id)
		if fail.CodeOf(err) == fail.NotFound {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		p := Pending{Incident: inc, Report: e.r, DueAt: s.Deadline(inc)}
		if e.r == nil {
			if !now.After(p.DueAt) {
				continue
			}
			p.Owner, p.Overdue = FirstOwner(inc), true
		} else {
			e.r.DueAt = p.DueAt
			p.Owner, p.Overdue = e.r.Owner, e.r.Overdue(now)
			for _, k := range s.Template().TBDKeys(e.r) {
				sec, _ := s.Template().Section(k)
				p.TBD = append(p.TBD, sec.TitleIn(lang))
			}
		}
		items = append(items, p)
	}
	return items, next, nil
}
