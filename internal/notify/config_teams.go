package notify

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// TeamsConfig is the teams: part of the notify section: Microsoft Teams
// channels, each reached through the URL of a Workflows webhook ("Post to a
// channel when a webhook request is received"). The URL carries the flow's
// signature, so it is a secret: it is read from the config, an environment
// variable or a file, and never stored with messages, which name the channel.
type TeamsConfig struct {
	Channels []TeamsChannel
}

// TeamsChannel is one named Teams channel.
type TeamsChannel struct {
	Name       string
	WebhookURL string
}

// Channel returns the channel called name.
func (c *TeamsConfig) Channel(name string) (TeamsChannel, bool) {
	if c == nil {
		return TeamsChannel{}, false
	}
	for _, ch := range c.Channels {
		if ch.Name == name {
			return ch, true
		}
	}
	return TeamsChannel{}, false
}

func readTeams(r *confyaml.Reader, section confyaml.Field) *TeamsConfig {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return nil
	}
	c := &TeamsConfig{}
	for _, f := range fields {
		switch f.Key.Value {
		case "channels":
			seen := map[string]bool{}
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				ch, ok := readTeamsChannel(r, item, path)
				if !ok {
					continue
				}
				if seen[ch.Name] {
					r.Errorf(item, path+".name", "duplicate channel %q", ch.Name)
				}
				seen[ch.Name] = true
				c.Channels = append(c.Channels, ch)
			}
		default:
			r.Unknown(f)
		}
	}
	if len(c.Channels) == 0 {
		r.Errorf(section.Key, section.Path+".channels", "required: at least one channel with a name and a webhook_url")
	}
	return c
}

func readTeamsChannel(r *confyaml.Reader, n *yaml.Node, path string) (TeamsChannel, bool) {
	fields, ok := r.Fields(n, path)
	if !ok {
		return TeamsChannel{}, false
	}
	var ch TeamsChannel
	secret := confyaml.Secret{Base: "webhook_url"}
	for _, f := range fields {
		switch {
		case f.Key.Value == "name":
			ch.Name = readName(r, f)
		case secret.Read(r, f):
		default:
			r.Unknown(f)
		}
	}
	ch.WebhookURL = secret.Required(r, n, path, "the Workflows webhook URL the flow gave")
	if ch.WebhookURL != "" {
		if err := checkChatURL(ch.WebhookURL); err != nil {
			secret.Errorf(r, "%v", err)
		}
	}
	if ch.Name == "" {
		r.Errorf(n, path+".name", "required: the name the policy uses (teams: NAME)")
	}
	return ch, true
}
