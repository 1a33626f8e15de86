package notify

import (
	"fmt"
	"net"
	"net/url"
	"regexp"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// HasTarget reports whether the notify section names a Teams channel or a
// LINE WORKS target called name; the policy's references are checked with it.
func (c *Config) HasTarget(channel Channel, name string) bool {
	switch channel {
	case Teams:
		_, ok := c.Teams.Channel(name)
		return ok
	case LineWorks:
		_, ok := c.LineWorks.Target(name)
		return ok
	}
	return false
}

// Sets reports whether the notify section sets up the channel ch. A channel
// left out is off, as for Slack: the policy may still name its targets, and
// their messages fail with that reason on the incident's timeline.
func (c *Config) Sets(ch Channel) bool {
	switch ch {
	case Email:
		return c.Email != nil
	case Slack:
		return c.Slack != nil
	case Teams:
		return c.Teams != nil
	case LineWorks:
		return c.LineWorks != nil
	}
	return true // webhooks and Mattermost hooks need no setup
}

// targetName is the form of Teams and LINE WORKS target names, the same as
// the policy's names: they appear in target keys and on the command line.
var targetName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func readName(r *confyaml.Reader, f confyaml.Field) string {
	n := r.Str(f.Val, f.Path)
	if !targetName.MatchString(n) {
		r.Errorf(f.Val, f.Path, "must be lower-case letters, digits and '-'; got %q", n)
	}
	return n
}

func readChatURL(r *confyaml.Reader, f confyaml.Field) string {
	s := r.Str(f.Val, f.Path)
	if err := checkChatURL(s); err != nil {
		r.Errorf(f.Val, f.Path, "%v", err)
	}
	return s
}

// checkChatURL accepts https URLs, and plain http only to the loopback
// interface (a test server): anything else would carry incidents and
// credentials across the network in the clear.
func checkChatURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("must be an absolute https URL; got %q", redactURL(s))
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("must use https (plain http only to 127.0.0.1, ::1 or localhost); got %q", redactURL(s))
		}
	}
	return nil
}

// redactURL keeps a webhook URL's signature out of error messages: only
// scheme and host are shown.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	}
	return u.Scheme + "://" + u.Host + "/…"
}
