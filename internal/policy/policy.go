// Package policy is Firebreak's communication policy, kept as reviewable
// config: for each grade how often status updates are due and when the first
// report is, and for each incident who is told — the teams owning the
// affected services, the teams of services that depend on them, fixed
// departments from some grade up, and external partners. It only plans;
// sending is the notifiers' job.
package policy

import (
	"slices"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Policy is the policy: section of the config file.
type Policy struct {
	Language    string // for targets that name none: "en" or "ko"
	Zone        *time.Location
	BaseURL     string // where Firebreak is reached, for links in messages
	Templates   Templates
	Grades      map[incident.Grade]GradePolicy
	Departments []Department
	Partners    []Partner
	// named are where the config names Teams and LINE WORKS targets, for
	// CheckNamedTargets.
	named []namedRef
}

// GradePolicy is what a grade asks of an incident's communication.
type GradePolicy struct {
	Guide          map[string]string // by language
	UpdateEvery    time.Duration
	FirstReport    FirstReport
	TellDependants bool
}

// FirstReport says when an incident's first report is due: by the end of the
// organisation's day, or within a time of the declaration.
type FirstReport struct {
	SameDay bool
	Within  time.Duration
}

// Department is told of every incident from a grade up (FromGrade and worse).
type Department struct {
	Name      string
	FromGrade incident.Grade
	Email     string
	Slack     string
	// Mattermost is an incoming webhook's URL.
	Mattermost string
	// Teams and LineWorks name a Microsoft Teams channel and a LINE WORKS
	// target of the notify config.
	Teams     string
	LineWorks string
	Lang      string
}

// Partner is an outside company told by signed webhook, from a grade up and
// only when it uses one of the affected services (any, when Services is
// empty). Partners hear of public incidents only.
type Partner struct {
	Name      string
	FromGrade incident.Grade
	Services  []string
	Webhook   string
	Secret    string
	Lang      string
}

// DefaultPolicy is what a config file without a policy section gives: the
// update cadence of incident.Grade.UpdateInterval, the first report on the
// same day, dependants told for SEV1 and SEV2, no departments or partners.
func DefaultPolicy() *Policy {
	p := &Policy{Language: "en", Zone: time.UTC, Grades: map[incident.Grade]GradePolicy{}, Templates: DefaultTemplates()}
	for g := incident.SEV1; g <= incident.SEV5; g++ {
		p.Grades[g] = GradePolicy{
			Guide:          map[string]string{},
			UpdateEvery:    g.UpdateInterval(),
			FirstReport:    FirstReport{SameDay: true},
			TellDependants: g <= incident.SEV2,
		}
	}
	return p
}

// FirstReportDeadline is when the first report of an incident of grade g,
// declared at declared, is due. "Same day" ends at the next midnight in the
// organisation's time zone.
func (p *Policy) FirstReportDeadline(g incident.Grade, declared time.Time) time.Time {
	fr := p.Grades[g].FirstReport
	if !fr.SameDay {
		return declared.Add(fr.Within).UTC()
	}
	local := declared.In(p.Zone)
	y, m, d := local.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, p.Zone).UTC()
}

// Channel is how a target is told.
type Channel string

// The channels.
const (
	ChannelEmail   Channel = "email"
	ChannelSlack   Channel = "slack"
	ChannelWebhook Channel = "webhook"
	// ChannelMattermost posts to a Mattermost incoming webhook's URL.
	ChannelMattermost Channel = "mattermost"
	// ChannelTeams posts to a Microsoft Teams channel the notify config
	// names; the address is that name.
	ChannelTeams Channel = "teams"
	// ChannelLineWorks sends a LINE WORKS bot message to a target the
	// notify config names; the address is that name.
	ChannelLineWorks Channel = "lineworks"
)

// chatChannel reports whether ch is a chat channel, whose messages fall back
// to e-mail when it keeps failing.
func chatChannel(ch Channel) bool {
	return ch == ChannelSlack || ch == ChannelMattermost || ch == ChannelTeams || ch == ChannelLineWorks
}

// Target is one place a message goes. Key is stable for the same who,
// channel and address, so that a grade raise or a wider scope tells only the
// targets that are new.
type Target struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Reason  string  `json:"reason"` // in English; ReasonIn gives it in the target's language
	Channel Channel `json:"channel"`
	Address string  `json:"address"`
	Lang    string  `json:"lang"`
	// Fallback is the e-mail address told instead when a chat channel keeps
	// failing (the team's or department's address).
	Fallback string `json:"fallback,omitempty"`
	why      why
}

// why is the reason a target is told, in a form both languages can say.
type why struct {
	kind         string // owner, dependant, department, partner, member
	service, via string
	from         incident.Grade
}

// ReasonIn says why the target is told, in lang.
func (t Target) ReasonIn(lang string) string {
	w := t.why
	if lang != "ko" {
		return t.Reason
	}
	switch w.kind {
	case "owner":
		return w.service + " 서비스 담당 팀"
	case "dependant":
		return w.service + " 서비스 담당 팀 (" + w.via + "에 의존)"
	case "department":
		return w.from.String() + " 이상 장애를 전달받는 부서"
	case "partner":
		return w.from.String() + " 이상 장애를 전달받는 파트너사"
	case "member":
		return "제한 공개 장애의 구성원"
	}
	return t.Reason
}

// Scope is what planning needs to know of an incident: its grade, services
// and visibility, the people who belong to it (for a restricted one) and the
// targets the affected teams added themselves.
type Scope struct {
	Grade      incident.Grade
	Services   []string
	Visibility incident.Visibility
	// Members are the incident's members with their e-mail addresses; only
	// restricted incidents use them.
	Members []Person
	// TeamTargets are the teams' own targets, by team.
	TeamTargets map[string][]TeamTarget
}

// Person is someone who may be told by e-mail; Email is "" when Firebreak
// knows no address for them.
type Person struct {
	Name, Email string
}

// Targets plans who is told of an incident of this grade, services and
// visibility, with no members and no teams' own targets: see Plan.
func (p *Policy) Targets(cat *catalog.Catalog, grade incident.Grade, services []string, vis incident.Visibility) []Target {
	return p.Plan(cat, Scope{Grade: grade, Services: services, Visibility: vis})
}

// Plan says who is told of an incident: owning teams first, then the teams
// of dependants (when the grade says so), departments, partners; each team
// with the targets it added itself. Only public incidents reach partners. A
// restricted incident is told to its members' own e-mail addresses and to
// nobody else — not the teams' lists or channels, which reach people who may
// not see it; members without an address are left out (see Unreachable).
func (p *Policy) Plan(cat *catalog.Catalog, in Scope) []Target {
	grade, services, vis := in.Grade, in.Services, in.Visibility
	var out []Target
	seen := map[string]bool{}
	add := func(t Target) {
		if t.Address == "" || seen[t.Key] {
			return
		}
		if t.Lang == "" {
			t.Lang = p.Language
		}
		seen[t.Key] = true
		out = append(out, t)
	}
	if vis == incident.Restricted {
		for _, m := range in.Members {
			add(Target{Key: "member:" + m.Name + ":email:" + m.Email, Name: m.Name, Reason: "member of the restricted incident",
				Channel: ChannelEmail, Address: m.Email, why: why{kind: "member"}})
		}
		return out
	}
	team := func(name, reason string, w why) {
		t, ok := cat.Team(name)
		if !ok {
			return
		}
		add(Target{Key: "team:" + t.Name + ":email:" + t.Email, Name: "team " + t.Name, Reason: reason, Channel: ChannelEmail, Address: t.Email, why: w})
		add(Target{Key: "team:" + t.Name + ":slack:" + t.ChatChannel, Name: "team " + t.Name, Reason: reason, Channel: ChannelSlack,
			Address: t.ChatChannel, Fallback: t.Email, why: w})
		for _, tt := range in.TeamTargets[t.Name] {
			if tt.FromGrade != 0 && grade > tt.FromGrade {
				continue // less severe than the team asked to hear of here
			}
			tg := Target{Key: teamTargetKey(t.Name, tt.Channel, tt.Address), Name: "team " + t.Name, Reason: reason,
				Channel: tt.Channel, Address: tt.Address, Lang: tt.Lang, why: w}
			if chatChannel(tt.Channel) {
				tg.Fallback = t.Email
			}
			add(tg)
		}
	}
	for _, s := range services {
		if svc, ok := cat.Service(s); ok {
			team(svc.Team, "owns "+s, why{kind: "owner", service: s})
		}
	}
	if p.Grades[grade].TellDependants {
		for _, s := range services {
			for _, dep := range cat.Dependants(s) {
				if svc, ok := cat.Service(dep); ok {
					team(svc.Team, "owns "+dep+", which depends on "+s, why{kind: "dependant", service: dep, via: s})
				}
			}
		}
	}
	for _, d := range p.Departments {
		if grade > d.FromGrade {
			continue // less severe than the department asks to hear of
		}
		reason := "department, told from " + d.FromGrade.String()
		w := why{kind: "department", from: d.FromGrade}
		add(Target{Key: "department:" + d.Name + ":email:" + d.Email, Name: d.Name, Reason: reason, Channel: ChannelEmail, Address: d.Email, Lang: d.Lang, why: w})
		add(Target{Key: "department:" + d.Name + ":slack:" + d.Slack, Name: d.Name, Reason: reason, Channel: ChannelSlack, Address: d.Slack,
			Lang: d.Lang, Fallback: d.Email, why: w})
		add(Target{Key: "department:" + d.Name + ":mattermost:" + d.Mattermost, Name: d.Name, Reason: reason, Channel: ChannelMattermost,
			Address: d.Mattermost, Lang: d.Lang, Fallback: d.Email, why: w})
		add(Target{Key: "department:" + d.Name + ":teams:" + d.Teams, Name: d.Name, Reason: reason, Channel: ChannelTeams,
			Address: d.Teams, Lang: d.Lang, Fallback: d.Email, why: w})
		add(Target{Key: "department:" + d.Name + ":lineworks:" + d.LineWorks, Name: d.Name, Reason: reason, Channel: ChannelLineWorks,
			Address: d.LineWorks, Lang: d.Lang, Fallback: d.Email, why: w})
	}
	if vis != incident.Public {
		return out
	}
	for _, pt := range p.Partners {
		if grade > pt.FromGrade || !usesAny(pt.Services, services) {
			continue
		}
		add(Target{Key: "partner:" + pt.Name + ":webhook:" + pt.Webhook, Name: pt.Name, Reason: "partner, told from " + pt.FromGrade.String(),
			Channel: ChannelWebhook, Address: pt.Webhook, Lang: pt.Lang, why: why{kind: "partner", from: pt.FromGrade}})
	}
	return out
}

// Unreachable names the members of a restricted incident that Plan cannot
// tell, for want of an e-mail address; other incidents have none.
func Unreachable(in Scope) []string {
	if in.Visibility != incident.Restricted {
		return nil
	}
	var out []string
	for _, m := range in.Members {
		if m.Email == "" {
			out = append(out, m.Name)
		}
	}
	return out
}

func usesAny(partner, affected []string) bool {
	if len(partner) == 0 {
		return true
	}
	for _, s := range affected {
		if slices.Contains(partner, s) {
			return true
		}
	}
	return false
}

// NewTargets returns the targets of after that before did not have: those to
// tell when a grade rises or the scope widens.
func NewTargets(before, after []Target) []Target {
	had := map[string]bool{}
	for _, t := range before {
		had[t.Key] = true
	}
	var out []Target
	for _, t := range after {
		if !had[t.Key] {
			out = append(out, t)
		}
	}
	return out
}

// Secret returns the webhook secret of the partner whose target has the
// key; secrets stay in the policy, not in stored messages.
func (p *Policy) Secret(targetKey string) string {
	for _, pt := range p.Partners {
		if targetKey == "partner:"+pt.Name+":webhook:"+pt.Webhook {
			return pt.Secret
		}
	}
	return ""
}
