package warroom

import (
	"regexp"
	"strings"

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
	token, command := confyaml.Secret{Base: "token"}, confyaml.Secret{Base: "command_token"}
	for _, g := range fields {
		if token.Read(r, g) || command.Read(r, g) {
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
	mc.Token = token.Required(r, f.Val, f.Path, "the bot account's access token")
	mc.CommandToken = command.Optional(r, f.Path)
	return mc
}
