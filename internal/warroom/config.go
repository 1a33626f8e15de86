package warroom

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Config is the war_room: section of the config file. Without the section
// no incident gets a channel of its own.
type Config struct {
	// Grades get a channel when declared (or raised into them); default
	// SEV1–SEV3.
	Grades []incident.Grade
	// NamePattern names the channel: {number} is the incident number,
	// {slug} a slug of its title (or of its first service when the title
	// has no Latin letters or digits, as a Korean one), {service} the first
	// service, {grade} the grade in lower case.
	NamePattern string
	// ArchiveAfter is how long after close the channel is archived.
	ArchiveAfter time.Duration
	// PinEmoji is the reaction that copies a message to the timeline.
	PinEmoji string
	// SlackUsers maps Firebreak user names to Slack user ids (U…), to
	// invite people and to know who pressed a button. A Slack user not in
	// the map acts as the Firebreak user of the same name.
	SlackUsers map[string]string
	// OnDuty names, per team, who is on duty and so invited to its
	// services' rooms; a team left out sends its lead.
	OnDuty map[string][]string
	// BaseURL is where people open Firebreak, for the link in the topic
	// and the report button; empty: the policy's base_url.
	BaseURL string
	// Provider is the chat service rooms are made in: slack (the default)
	// or mattermost.
	Provider string
	// Mattermost is war_room.mattermost, set when Provider is mattermost.
	Mattermost *MattermostConfig
}

// DefaultConfig is the section with every default.
func DefaultConfig() *Config {
	return &Config{Grades: []incident.Grade{incident.SEV1, incident.SEV2, incident.SEV3}, NamePattern: "inc-{number}-{slug}",
		ArchiveAfter: 7 * 24 * time.Hour, PinEmoji: "pushpin", Provider: Slack, SlackUsers: map[string]string{}, OnDuty: map[string][]string{}}
}

// Opens reports whether incidents of grade g get a room.
func (c *Config) Opens(g incident.Grade) bool {
	for _, x := range c.Grades {
		if x == g {
			return true
		}
	}
	return false
}

// SlackUser is the Firebreak user name of a Slack user id, and whether the
// map names one.
func (c *Config) SlackUser(id string) (string, bool) {
	for name, sid := range c.SlackUsers {
		if sid == id {
			return name, true
		}
	}
	return "", false
}

// LoadConfig reads the war_room section of the config file at path; nil
// when the file has none.
func LoadConfig(path string, teams func(string) bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load war_room config: %w", err)
	}
	return ParseConfig(path, data, teams)
}

var (
	slackIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	emojiPattern   = regexp.MustCompile(`^[a-z0-9_+\-']{1,100}$`)
)

// ParseConfig reads the war_room section of data; teams, when not nil,
// says which team names exist.
func ParseConfig(filename string, data []byte, teams func(string) bool) (*Config, error) {
	r := &confyaml.Reader{}
	var c *Config
	err := confyaml.ReadSection(r, filename, data, "war_room", func(section confyaml.Field) {
		if confyaml.IsNull(confyaml.Resolve(section.Val)) {
			return
		}
		c = DefaultConfig()
		fields, ok := r.Fields(section.Val, "war_room")
		if !ok {
			return
		}
		for _, f := range fields {
			readField(r, c, f, teams)
		}
		if c.Provider == Mattermost && c.Mattermost == nil {
			r.Errorf(section.Val, "war_room.mattermost", "required when war_room.provider is mattermost: url, team_id and token")
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func readField(r *confyaml.Reader, c *Config, f confyaml.Field, teams func(string) bool) {
	switch f.Key.Value {
	case "grades":
		c.Grades = nil
		for _, n := range r.List(f.Val, f.Path) {
			g, err := incident.ParseGrade(n.Value)
			if err != nil {
				r.Errorf(n, f.Path, "%v", err)
				continue
			}
			c.Grades = append(c.Grades, g)
		}
	case "name_pattern":
		c.NamePattern = r.Str(f.Val, f.Path)
		if !strings.Contains(c.NamePattern, "{number}") {
			r.Errorf(f.Val, f.Path, "must contain {number}, so that every incident's channel has its own name; got %q", c.NamePattern)
		}
	case "archive_after":
		s := r.Str(f.Val, f.Path)
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > 365*24*time.Hour {
			r.Errorf(f.Val, f.Path, "must be a duration from 0s to 8760h such as 168h; got %q", s)
			return
		}
		c.ArchiveAfter = d
	case "pin_emoji":
		c.PinEmoji = strings.Trim(r.Str(f.Val, f.Path), ":")
		if !emojiPattern.MatchString(c.PinEmoji) {
			r.Errorf(f.Val, f.Path, "must be an emoji name such as pushpin; got %q", c.PinEmoji)
		}
	case "base_url":
		c.BaseURL = strings.TrimSuffix(r.Str(f.Val, f.Path), "/")
	case "slack_users":
		fields, ok := r.Fields(f.Val, f.Path)
		if !ok {
			return
		}
		for _, u := range fields {
			id := r.Str(u.Val, u.Path)
			if !slackIDPattern.MatchString(id) {
				r.Errorf(u.Val, u.Path, "must be a Slack user id such as U024BE7LH; got %q", id)
				continue
			}
			c.SlackUsers[u.Key.Value] = id
		}
	case "provider":
		c.Provider = r.Str(f.Val, f.Path)
		if c.Provider != Slack && c.Provider != Mattermost {
			r.Errorf(f.Val, f.Path, "must be slack or mattermost; got %q", c.Provider)
		}
	case "mattermost":
		c.Mattermost = readMattermost(r, f)
	case "on_duty":
		fields, ok := r.Fields(f.Val, f.Path)
		if !ok {
			return
		}
		for _, t := range fields {
			if teams != nil && !teams(t.Key.Value) {
				r.Errorf(t.Key, t.Path, "no team %q in the catalog", t.Key.Value)
				continue
			}
			for _, n := range r.List(t.Val, t.Path) {
				c.OnDuty[t.Key.Value] = append(c.OnDuty[t.Key.Value], n.Value)
			}
		}
	default:
		r.Unknown(f)
	}
}
