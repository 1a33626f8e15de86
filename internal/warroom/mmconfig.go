package warroom

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Mattermost is the provider name of Mattermost rooms.
const Mattermost = "mattermost"

// MattermostConfig is war_room.mattermost: the Mattermost server and bot
// account war rooms are made with when war_room.provider is mattermost.
type MattermostConfig struct {
	// URL is the Mattermost server, such as https://chat.example.com.
	URL string
	// TeamID is the team the channels are made in.
	TeamID string
	// Token is the bot account's access token (token, token_env or
	// token_file).
	Token string
	// CommandToken is the slash command's token, which Mattermost sends
	// with each /incident command (command_token, _env or _file); empty:
	// the command endpoint answers 404.
	CommandToken string
	// Users maps Firebreak user names to Mattermost user ids, to invite
	// people and to know who wrote a pinned message. A Mattermost user
	// not in the map acts as the Firebreak user of the same username.
	Users map[string]string
}

// MattermostUser is the Firebreak name of a Mattermost user id, and whether
// the map names one.
func (c *MattermostConfig) MattermostUser(id string) (string, bool) {
	if c == nil {
		return "", false
	}
	for name, mid := range c.Users {
		if mid == id {
			return name, true
		}
	}
	return "", false
}

// mattermostIDPattern is Mattermost's id: 26 lower-case letters and digits.
var mattermostIDPattern = regexp.MustCompile(`^[a-z0-9]{26}$`)

func readMattermost(r *confyaml.Reader, f confyaml.Field) *MattermostConfig {
	mc := &MattermostConfig{Users: map[string]string{}}
	fields, ok := r.Fields(f.Val, f.Path)
	if !ok {
		return mc
	}
	token, command := secret{base: "token"}, secret{base: "command_token"}
	for _, g := range fields {
		if token.read(r, g) || command.read(r, g) {
			continue
		}
		switch g.Key.Value {
		case "url":
			mc.URL = strings.TrimSuffix(r.Str(g.Val, g.Path), "/")
			if !strings.HasPrefix(mc.URL, "https://") && !strings.HasPrefix(mc.URL, "http://") {
				r.Errorf(g.Val, g.Path, "must be the server's http(s) URL such as https://chat.example.com; got %q", mc.URL)
			}
		case "team_id":
			mc.TeamID = r.Str(g.Val, g.Path)
			if !mattermostIDPattern.MatchString(mc.TeamID) {
				r.Errorf(g.Val, g.Path, "must be a Mattermost team id (26 lower-case letters and digits); got %q", mc.TeamID)
			}
		case "users":
			users, ok := r.Fields(g.Val, g.Path)
			if !ok {
				continue
			}
			for _, u := range users {
				id := r.Str(u.Val, u.Path)
				if !mattermostIDPattern.MatchString(id) {
					r.Errorf(u.Val, u.Path, "must be a Mattermost user id (26 lower-case letters and digits); got %q", id)
					continue
				}
				mc.Users[u.Key.Value] = id
			}
		default:
			r.Unknown(g)
		}
	}
	if mc.URL == "" {
		r.Errorf(f.Val, f.Path+".url", "required: the Mattermost server's URL")
	}
	if mc.TeamID == "" {
		r.Errorf(f.Val, f.Path+".team_id", "required: the team the channels are made in")
	}
	mc.Token = token.value(r, f.Val, f.Path, true, "the bot account's access token")
	mc.CommandToken = command.value(r, f.Val, f.Path, false, "")
	return mc
}

// secret reads a secret given one of three ways, as the notify section's
// are: in the config (base), in an environment variable (base_env) or in a
// file (base_file, relative to the config file's folder).
type secret struct {
	base  string
	given []string
	val   string
}

func (s *secret) read(r *confyaml.Reader, f confyaml.Field) bool {
	switch f.Key.Value {
	case s.base:
		s.val = r.Str(f.Val, f.Path)
	case s.base + "_env":
		name := r.Str(f.Val, f.Path)
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			r.Errorf(f.Val, f.Path, "environment variable %s is not set", name)
		}
		s.val = strings.TrimSpace(v)
	case s.base + "_file":
		name := r.Str(f.Val, f.Path)
		if name != "" && !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(r.File), name)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			r.Errorf(f.Val, f.Path, "cannot read the file: %v", err)
		}
		s.val = strings.TrimSpace(string(data))
	default:
		return false
	}
	s.given = append(s.given, f.Key.Value)
	return true
}

func (s *secret) value(r *confyaml.Reader, n *yaml.Node, path string, required bool, what string) string {
	switch {
	case len(s.given) == 0 && required:
		r.Errorf(n, path+"."+s.base, "required: %s, as %s, %s_env or %s_file", what, s.base, s.base, s.base)
	case len(s.given) > 1:
		r.Errorf(n, path, "give one of %s, %s_env and %s_file; got %s", s.base, s.base, s.base, strings.Join(s.given, " and "))
	}
	return s.val
}
