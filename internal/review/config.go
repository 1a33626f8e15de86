package review

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Config is the review: section of the config file.
type Config struct {
	// RequiredStages names, per grade, the stages that must be held before
	// an incident of that grade may be closed.
	RequiredStages map[incident.Grade][]Stage
	// RemindBefore lists how long before an item's due date its owner is
	// reminded, one reminder each.
	RemindBefore []time.Duration
	// VagueRuleFiles are teams' own vague-item rules, added to the built-in
	// ones; VagueRules is what was read from them.
	VagueRuleFiles []string
	VagueRules     []VagueRule
	// MinSimilarity is how close (0-1) two incidents' text must be to count
	// as a recurrence without a shared cause tag.
	MinSimilarity float64
	// Lookback is how far back recurrence compares texts; incidents of the
	// same service and cause tag match at any age.
	Lookback time.Duration
	// PollEvery is how often tracker issues are polled for status changes
	// that a webhook may have missed.
	PollEvery time.Duration
	// DefaultTracker is where new action items are filed; "" keeps them in
	// Firebreak only.
	DefaultTracker Tracker
	Jira           JiraConfig
	GitHub         GitHubConfig
}

// JiraConfig is a Jira site. It authenticates with Basic auth (e-mail and
// API token, Jira Cloud) or with a bearer personal access token (Jira Data
// Center); exactly one of the two is given.
type JiraConfig struct {
	BaseURL       string
	Project       string
	IssueType     string
	Email         string
	APIToken      string
	Token         string // personal access token, sent as Bearer
	WebhookSecret string
}

// Enabled reports whether Jira is configured.
func (j JiraConfig) Enabled() bool { return j.BaseURL != "" }

// GitHubConfig is a GitHub repository whose issues hold action items.
type GitHubConfig struct {
	APIURL        string
	Repo          string // owner/name
	Token         string
	WebhookSecret string
}

// Enabled reports whether GitHub is configured.
func (g GitHubConfig) Enabled() bool { return g.Repo != "" }

// The section's defaults.
const (
	DefaultMinSimilarity = 0.45
	DefaultLookback      = 2 * 365 * 24 * time.Hour
	DefaultPollEvery     = 5 * time.Minute
	DefaultGitHubAPI     = "https://api.github.com"
)

// DefaultConfig is the section's value when the file has none: both stages
// for SEV1-SEV3, none for SEV4 and SEV5, reminders three days and one day
// before the due date, no tracker.
func DefaultConfig() *Config {
	return &Config{
		RequiredStages: map[incident.Grade][]Stage{
			incident.SEV1: {TeamStage, DeveloperStage},
			incident.SEV2: {TeamStage, DeveloperStage},
			incident.SEV3: {TeamStage, DeveloperStage},
			incident.SEV4: {},
			incident.SEV5: {},
		},
		RemindBefore:  []time.Duration{72 * time.Hour, 24 * time.Hour},
		MinSimilarity: DefaultMinSimilarity,
		Lookback:      DefaultLookback,
		PollEvery:     DefaultPollEvery,
		GitHub:        GitHubConfig{APIURL: DefaultGitHubAPI},
	}
}

// Required returns the stages a grade needs.
func (c *Config) Required(g incident.Grade) []Stage { return c.RequiredStages[g] }

// LoadConfig reads the review section of the config file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load review config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig reads and checks the review section of data, the contents of
// the config file filename; other sections are left to their packages. Rule
// files are read relative to the config file. On any problem it returns
// confyaml.Errors with every problem found.
func ParseConfig(filename string, data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, confyaml.Errors{confyaml.SyntaxError(filename, data, err)}
	}
	p := &configParser{Reader: confyaml.Reader{File: filename}}
	c := DefaultConfig()
	if len(doc.Content) > 0 {
		root := confyaml.Resolve(doc.Content[0])
		if root.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(root.Content); i += 2 {
				if root.Content[i].Value == "review" && !confyaml.IsNull(confyaml.Resolve(root.Content[i+1])) {
					p.section(c, root.Content[i+1])
				}
			}
		}
	}
	for _, f := range c.VagueRuleFiles {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(filename), f)
		}
		rules, err := LoadVagueRules(path)
		if err != nil {
			if es, ok := err.(confyaml.Errors); ok {
				p.Errs = append(p.Errs, es...)
			} else {
				p.Errs = append(p.Errs, confyaml.FieldError{File: filename, Field: "review.vague_rules", Message: err.Error()})
			}
			continue
		}
		c.VagueRules = append(c.VagueRules, rules...)
	}
	if len(p.Errs) > 0 {
		p.Errs.Sort()
		return nil, p.Errs
	}
	return c, nil
}

type configParser struct{ confyaml.Reader }

func (p *configParser) section(c *Config, n *yaml.Node) {
	fields, ok := p.Fields(n, "review")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "required_stages":
			p.requiredStages(c, f)
		case "remind_before":
			c.RemindBefore = nil
			for i, item := range p.List(f.Val, f.Path) {
				d := p.duration(item, fmt.Sprintf("%s[%d]", f.Path, i), time.Hour, 90*24*time.Hour)
				if d > 0 {
					c.RemindBefore = append(c.RemindBefore, d)
				}
			}
		case "vague_rules":
			for i, item := range p.List(f.Val, f.Path) {
				if s := p.Str(item, fmt.Sprintf("%s[%d]", f.Path, i)); s != "" {
					c.VagueRuleFiles = append(c.VagueRuleFiles, s)
				}
			}
		case "min_similarity":
			v, err := strconv.ParseFloat(confyaml.Resolve(f.Val).Value, 64)
			if err != nil || v <= 0 || v > 1 {
				p.Errorf(f.Val, f.Path, "must be a number above 0 and at most 1; got %s", confyaml.Describe(f.Val))
				continue
			}
			c.MinSimilarity = v
		case "lookback":
			c.Lookback = p.duration(f.Val, f.Path, 24*time.Hour, 20*365*24*time.Hour)
		case "poll_every":
			c.PollEvery = p.duration(f.Val, f.Path, 10*time.Second, 24*time.Hour)
		case "tracker":
			p.tracker(c, f)
		default:
			p.Unknown(f)
		}
	}
	if c.DefaultTracker == Jira && !c.Jira.Enabled() || c.DefaultTracker == GitHub && !c.GitHub.Enabled() {
		p.Errorf(n, "review.tracker.default", "names %s, which is not configured", c.DefaultTracker)
	}
}

func (p *configParser) requiredStages(c *Config, f confyaml.Field) {
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	for _, g := range fields {
		grade, err := incident.ParseGrade(g.Key.Value)
		if err != nil {
			p.Errorf(g.Key, g.Path, "%v", err)
			continue
		}
		stages := []Stage{}
		for i, item := range p.List(g.Val, g.Path) {
			path := fmt.Sprintf("%s[%d]", g.Path, i)
			st := Stage(p.Str(item, path))
			if !st.Valid() {
				p.Errorf(item, path, "must be team or developer; got %q", st)
				continue
			}
			stages = append(stages, st)
		}
		c.RequiredStages[grade] = stages
	}
}

func (p *configParser) tracker(c *Config, f confyaml.Field) {
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	for _, g := range fields {
		switch g.Key.Value {
		case "default":
			t := Tracker(p.Str(g.Val, g.Path))
			if t != "" && !t.Valid() {
				p.Errorf(g.Val, g.Path, "must be jira or github; got %q", t)
				continue
			}
			c.DefaultTracker = t
		case "jira":
			p.jira(&c.Jira, g)
		case "github":
			p.github(&c.GitHub, g)
		default:
			p.Unknown(g)
		}
	}
}

func (p *configParser) jira(j *JiraConfig, f confyaml.Field) {
	if !p.strings(f, map[string]*string{"base_url": &j.BaseURL, "project": &j.Project, "issue_type": &j.IssueType,
		"email": &j.Email, "api_token": &j.APIToken, "token": &j.Token, "webhook_secret": &j.WebhookSecret}) {
		return
	}
	if j.IssueType == "" {
		j.IssueType = "Task"
	}
	p.checkURL(f.Val, f.Path+".base_url", j.BaseURL)
	if j.Project == "" {
		p.Errorf(f.Val, f.Path+".project", "is required: the key of the project new issues go to")
	}
	basic, bearer := j.Email != "" || j.APIToken != "", j.Token != ""
	switch {
	case basic && bearer:
		p.Errorf(f.Val, f.Path+".token", "give either email and api_token (Basic auth) or token (a personal access token), not both")
	case basic && (j.Email == "" || j.APIToken == ""):
		p.Errorf(f.Val, f.Path+".api_token", "Basic auth needs both email and api_token")
	case !basic && !bearer:
		p.Errorf(f.Val, f.Path+".api_token", "is required: email and api_token, or token")
	}
}

func (p *configParser) github(g *GitHubConfig, f confyaml.Field) {
	if !p.strings(f, map[string]*string{"api_url": &g.APIURL, "repo": &g.Repo, "token": &g.Token, "webhook_secret": &g.WebhookSecret}) {
		return
	}
	if g.APIURL == "" {
		g.APIURL = DefaultGitHubAPI
	}
	p.checkURL(f.Val, f.Path+".api_url", g.APIURL)
	if owner, name, ok := strings.Cut(g.Repo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		p.Errorf(f.Val, f.Path+".repo", "must be owner/name; got %q", g.Repo)
	}
	if g.Token == "" {
		p.Errorf(f.Val, f.Path+".token", "is required: a token that may create and edit issues")
	}
}

// strings reads a mapping of string fields into dst by key, reporting
// unknown keys; false when f is not a mapping.
func (p *configParser) strings(f confyaml.Field, dst map[string]*string) bool {
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return false
	}
	for _, g := range fields {
		if d, ok := dst[g.Key.Value]; ok {
			*d = p.Str(g.Val, g.Path)
		} else {
			p.Unknown(g)
		}
	}
	return true
}

func (p *configParser) checkURL(n *yaml.Node, path, raw string) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Errorf(n, path, "must be an http(s) URL; got %q", raw)
	}
}

func (p *configParser) duration(n *yaml.Node, path string, lo, hi time.Duration) time.Duration {
	s := p.Str(n, path)
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		p.Errorf(n, path, "must be a duration from %s to %s, such as 24h; got %q", lo, hi, s)
		return 0
	}
	return d
}
