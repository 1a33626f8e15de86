package policy

import (
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// LoadConfig reads the policy section of the config file at path.
func LoadConfig(path string, services func(string) bool) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	return ParseConfig(path, data, services)
}

// ParseConfig reads and checks the policy section of data, the contents of
// the config file filename; a file without one gives DefaultPolicy. services
// reports whether a service exists (nil: not checked). Every problem found
// comes back in confyaml.Errors.
func ParseConfig(filename string, data []byte, services func(string) bool) (*Policy, error) {
	p := &parser{services: services}
	pol := DefaultPolicy()
	if err := confyaml.ReadSection(&p.Reader, filename, data, "policy", func(f confyaml.Field) { p.policy(pol, f.Val) }); err != nil {
		return nil, err
	}
	pol.named = p.refs
	return pol, nil
}

type parser struct {
	confyaml.Reader
	services func(string) bool
	refs     []namedRef
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *parser) policy(pol *Policy, n *yaml.Node) {
	fields, ok := p.Fields(n, "policy")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "language":
			pol.Language = p.lang(f)
		case "time_zone":
			name := p.Str(f.Val, f.Path)
			zone, err := time.LoadLocation(name)
			if err != nil || name == "" {
				p.Errorf(f.Val, f.Path, "must be an IANA time zone such as Asia/Seoul; got %q", name)
				continue
			}
			pol.Zone = zone
		case "base_url":
			pol.BaseURL = strings.TrimSuffix(p.Str(f.Val, f.Path), "/")
			if u, err := url.Parse(pol.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.Errorf(f.Val, f.Path, "must be an absolute http(s) URL such as https://firebreak.example.com; got %q", pol.BaseURL)
			}
		case "templates":
			p.templates(pol, f)
		case "grades":
			p.grades(pol, f)
		case "departments":
			seen := map[string]bool{}
			for i, item := range p.List(f.Val, f.Path) {
				if d, ok := p.department(item, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					if seen[d.Name] {
						p.Errorf(item, fmt.Sprintf("%s[%d].name", f.Path, i), "duplicate department %q", d.Name)
					}
					seen[d.Name] = true
					pol.Departments = append(pol.Departments, d)
				}
			}
		case "partners":
			seen := map[string]bool{}
			for i, item := range p.List(f.Val, f.Path) {
				if pt, ok := p.partner(item, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					if seen[pt.Name] {
						p.Errorf(item, fmt.Sprintf("%s[%d].name", f.Path, i), "duplicate partner %q", pt.Name)
					}
					seen[pt.Name] = true
					pol.Partners = append(pol.Partners, pt)
				}
			}
		default:
			p.Unknown(f)
		}
	}
}

func (p *parser) lang(f confyaml.Field) string {
	l := p.Str(f.Val, f.Path)
	if l != "en" && l != "ko" {
		p.Errorf(f.Val, f.Path, "must be en or ko; got %q", l)
		return "en"
	}
	return l
}

func (p *parser) grade(f confyaml.Field) incident.Grade {
	g, err := incident.ParseGrade(p.Str(f.Val, f.Path))
	if err != nil {
		p.Errorf(f.Val, f.Path, "%v", err)
	}
	return g
}

func (p *parser) grades(pol *Policy, f confyaml.Field) {
	entries, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	for _, e := range entries {
		g, err := incident.ParseGrade(e.Key.Value)
		if err != nil {
			p.Errorf(e.Key, e.Path, "%v", err)
			continue
		}
		gp := pol.Grades[g]
		fields, ok := p.Fields(e.Val, e.Path)
		if !ok {
			continue
		}
		for _, gf := range fields {
			switch gf.Key.Value {
			case "guide":
				texts, _ := p.Fields(gf.Val, gf.Path)
				for _, t := range texts {
					if t.Key.Value != "en" && t.Key.Value != "ko" {
						p.Errorf(t.Key, t.Path, "must be en or ko")
						continue
					}
					gp.Guide[t.Key.Value] = p.Str(t.Val, t.Path)
				}
			case "update_every":
				gp.UpdateEvery = p.duration(gf, time.Minute, 24*time.Hour)
			case "first_report":
				if v := p.Str(gf.Val, gf.Path); v == "same_day" {
					gp.FirstReport = FirstReport{SameDay: true}
				} else {
					gp.FirstReport = FirstReport{Within: p.duration(gf, 10*time.Minute, 7*24*time.Hour)}
				}
			case "tell_dependants":
				var b bool
				if n := confyaml.Resolve(gf.Val); n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
					p.Errorf(gf.Val, gf.Path, "must be true or false; got %s", confyaml.Describe(n))
				}
				gp.TellDependants = b
			default:
				p.Unknown(gf)
			}
		}
		pol.Grades[g] = gp
	}
}

func (p *parser) duration(f confyaml.Field, lo, hi time.Duration) time.Duration {
	s := p.Str(f.Val, f.Path)
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		p.Errorf(f.Val, f.Path, "must be a duration from %s to %s such as 30m; got %q", lo, hi, s)
		return 0
	}
	return d
}

func (p *parser) name(f confyaml.Field) string {
	n := p.Str(f.Val, f.Path)
	if !namePattern.MatchString(n) {
		p.Errorf(f.Val, f.Path, "must be lower-case letters, digits and '-'; got %q", n)
	}
	return n
}

func (p *parser) department(n *yaml.Node, path string) (Department, bool) {
	fields, ok := p.Fields(n, path)
	if !ok {
		return Department{}, false
	}
	var d Department
	for _, f := range fields {
		switch f.Key.Value {
		case "name":
			d.Name = p.name(f)
		case "from_grade":
			d.FromGrade = p.grade(f)
		case "email":
			if d.Email = p.Str(f.Val, f.Path); d.Email != "" {
				if _, err := mail.ParseAddress(d.Email); err != nil {
					p.Errorf(f.Val, f.Path, "must be an e-mail address; got %q", d.Email)
				}
			}
		case "slack":
			d.Slack = p.Str(f.Val, f.Path)
		case "mattermost":
			d.Mattermost = p.Str(f.Val, f.Path)
			if u, err := url.Parse(d.Mattermost); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.Errorf(f.Val, f.Path, "must be a Mattermost incoming webhook URL such as https://chat.example.com/hooks/xxx; got %q", d.Mattermost)
			}
		case "teams":
			d.Teams = p.named(f, ChannelTeams)
		case "lineworks":
			d.LineWorks = p.named(f, ChannelLineWorks)
		case "lang":
			d.Lang = p.lang(f)
		default:
			p.Unknown(f)
		}
	}
	switch {
	case d.Name == "":
		p.Errorf(n, path+".name", "required")
	case d.FromGrade == 0:
		p.Errorf(n, path+".from_grade", "required: the least severe grade the department hears of")
	case d.Email == "" && d.Slack == "" && d.Mattermost == "" && d.Teams == "" && d.LineWorks == "":
		p.Errorf(n, path, "needs an email, a slack channel, a mattermost webhook, a teams channel or a lineworks target")
	}
	return d, true
}

func (p *parser) partner(n *yaml.Node, path string) (Partner, bool) {
	fields, ok := p.Fields(n, path)
	if !ok {
		return Partner{}, false
	}
	var pt Partner
	for _, f := range fields {
		switch f.Key.Value {
		case "name":
			pt.Name = p.name(f)
		case "from_grade":
			pt.FromGrade = p.grade(f)
		case "services":
			for i, item := range p.List(f.Val, f.Path) {
				s := p.Str(item, fmt.Sprintf("%s[%d]", f.Path, i))
				if p.services != nil && !p.services(s) {
					p.Errorf(item, fmt.Sprintf("%s[%d]", f.Path, i), "unknown service %q", s)
				}
				pt.Services = append(pt.Services, s)
			}
		case "webhook":
			pt.Webhook = p.Str(f.Val, f.Path)
			if u, err := url.Parse(pt.Webhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.Errorf(f.Val, f.Path, "must be an absolute http(s) URL; got %q", pt.Webhook)
			}
		case "secret":
			pt.Secret = p.Str(f.Val, f.Path)
		case "lang":
			pt.Lang = p.lang(f)
		default:
			p.Unknown(f)
		}
	}
	switch {
	case pt.Name == "":
		p.Errorf(n, path+".name", "required")
	case pt.FromGrade == 0:
		p.Errorf(n, path+".from_grade", "required: the least severe grade the partner hears of")
	case pt.Webhook == "":
		p.Errorf(n, path+".webhook", "required")
	case pt.Secret == "":
		p.Errorf(n, path+".secret", "required: partners verify what Firebreak sends with it")
	}
	return pt, true
}

// Audited is what the audit log keeps of the policy section: who is told of
// what and when — languages, zone, link, each grade's rules, departments
// and partners — without partners' secrets (only whether one is set). The
// message templates are left out: they change the words, not who hears.
func (p *Policy) Audited() map[string]any {
	grades := map[string]any{}
	for g, gp := range p.Grades {
		fr := "same_day"
		if !gp.FirstReport.SameDay {
			fr = gp.FirstReport.Within.String()
		}
		grades[g.String()] = map[string]any{"update_every": gp.UpdateEvery.String(), "first_report": fr,
			"tell_dependants": gp.TellDependants, "guide": gp.Guide}
	}
	depts := []map[string]any{}
	for _, d := range p.Departments {
		depts = append(depts, map[string]any{"name": d.Name, "from_grade": d.FromGrade.String(), "email": d.Email,
			"slack": d.Slack, "mattermost": d.Mattermost, "teams": d.Teams, "lineworks": d.LineWorks, "lang": d.Lang})
	}
	partners := []map[string]any{}
	for _, pt := range p.Partners {
		partners = append(partners, map[string]any{"name": pt.Name, "from_grade": pt.FromGrade.String(), "services": pt.Services,
			"webhook": pt.Webhook, "lang": pt.Lang, "has_secret": pt.Secret != ""})
	}
	zone := "UTC"
	if p.Zone != nil {
		zone = p.Zone.String()
	}
	return map[string]any{"language": p.Language, "time_zone": zone, "base_url": p.BaseURL,
		"grades": grades, "departments": depts, "partners": partners}
}
