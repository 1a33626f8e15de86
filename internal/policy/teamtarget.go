package policy

import (
	"github.com/firebreak-oss/firebreak/internal/textrule"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TeamTarget is a place a team asks to be told, kept in the database and
// changed by the team's responders at run time: it is told whenever the team
// is (as owner or as a dependant's team), on top of the catalog's e-mail and
// chat channel.
type TeamTarget struct {
	ID      int64   `json:"id"`
	Team    string  `json:"team"`
	Channel Channel `json:"channel"`
	Address string  `json:"address"`
	// Secret signs webhook messages; it never leaves the server.
	Secret    string         `json:"-"`
	HasSecret bool           `json:"has_secret"`
	Lang      string         `json:"lang,omitempty"`
	FromGrade incident.Grade `json:"-"` // 0: every grade
	CreatedAt time.Time      `json:"created_at"`
	CreatedBy string         `json:"created_by"`
}

// FromGradeName is FromGrade as people write it ("" for every grade).
func (t TeamTarget) FromGradeName() string {
	if t.FromGrade == 0 {
		return ""
	}
	return t.FromGrade.String()
}

// Audited is what the audit log keeps of a target: everything but the secret.
func (t TeamTarget) Audited() map[string]any {
	return map[string]any{"id": t.ID, "team": t.Team, "channel": t.Channel, "address": t.Address,
		"lang": t.Lang, "from_grade": t.FromGradeName(), "has_secret": t.Secret != ""}
}

var slackChannel = regexp.MustCompile(`^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,20})$`)

// NewTeamTarget checks a target as people give it (in a form, a request or
// on the command line) and returns it; a mistake comes back as an error
// naming the field.
func NewTeamTarget(team, channel, address, secret, lang, fromGrade string) (TeamTarget, error) {
	// The text rules first: a NUL in a secret would reach PostgreSQL, and a
	// control character in an address would reach a mail header.
	if err := checkTargetText(channel, address, secret, lang, fromGrade); err != nil {
		return TeamTarget{}, err
	}
	t := TeamTarget{Team: team, Channel: Channel(strings.TrimSpace(channel)), Address: strings.TrimSpace(address),
		Secret: secret, Lang: strings.TrimSpace(lang)}
	switch t.Channel {
	case ChannelEmail:
		a, err := mail.ParseAddress(t.Address)
		if err != nil || a.Address != t.Address || a.Name != "" {
			return TeamTarget{}, fail.Field("address", "must be a plain e-mail address such as oncall@example.com; got %q", t.Address)
		}
	case ChannelSlack:
		if !slackChannel.MatchString(t.Address) {
			return TeamTarget{}, fail.Field("address", "must be a Slack channel such as #payments-incidents or a channel ID; got %q", t.Address)
		}
	case ChannelWebhook, ChannelMattermost:
		if err := checkHookURL(t.Address); err != nil {
			return TeamTarget{}, err
		}
	case ChannelTeams, ChannelLineWorks:
		if !namePattern.MatchString(t.Address) {
			return TeamTarget{}, fail.Field("address", "must be the name of a %s target in the notify config, such as ops; got %q", t.Channel, t.Address)
		}
	default:
		return TeamTarget{}, fail.Field("channel", "must be one of email, slack, webhook, mattermost, teams, lineworks; got %q", channel)
	}
	switch {
	case t.Channel == ChannelWebhook && strings.TrimSpace(t.Secret) == "":
		return TeamTarget{}, fail.Field("secret", "is required for a webhook: the receiver checks each message's signature with it")
	case t.Channel == ChannelWebhook && len(t.Secret) > 256:
		return TeamTarget{}, fail.Field("secret", "must be at most 256 bytes")
	case t.Channel != ChannelWebhook && t.Secret != "":
		return TeamTarget{}, fail.Field("secret", "only webhooks take a secret")
	}
	if t.Lang != "" && t.Lang != "en" && t.Lang != "ko" {
		return TeamTarget{}, fail.Field("lang", "must be en or ko (or empty for the policy's language); got %q", t.Lang)
	}
	if fg := strings.TrimSpace(fromGrade); fg != "" {
		g, err := incident.ParseGrade(fg)
		if err != nil {
			return TeamTarget{}, fail.Field("from_grade", "must be one of SEV1, SEV2, SEV3, SEV4, SEV5 (or empty for every grade); got %q", fromGrade)
		}
		t.FromGrade = g
	}
	t.HasSecret = t.Secret != ""
	return t, nil
}

// checkHookURL accepts https URLs, and http ones only on the loopback
// interface (a receiver on the same machine): anything else would send
// incidents across the network in the clear.
func checkHookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return fail.Field("address", "must be an absolute https URL such as https://hooks.example.com/firebreak; got %q", s)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fail.Field("address", "must use https (plain http only to 127.0.0.1, ::1 or localhost); got %q", s)
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// teamTargetKey is the target key of a team's own target: the same form as
// the catalog's, so an address given twice is told once.
func teamTargetKey(team string, ch Channel, address string) string {
	return "team:" + team + ":" + string(ch) + ":" + address
}

func checkTargetText(channel, address, secret, lang, fromGrade string) error {
	if err := textrule.Line("channel", channel); err != nil {
		return err
	}
	if err := textrule.Line("address", address); err != nil {
		return err
	}
	if err := textrule.Line("secret", secret); err != nil {
		return err
	}
	if err := textrule.Line("lang", lang); err != nil {
		return err
	}
	return textrule.Line("from_grade", fromGrade)
}
