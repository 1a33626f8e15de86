package notify

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

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

// LineWorksConfig is the lineworks: part of the notify section: the LINE
// WORKS Developer Console app (client ID and secret), its service account
// and private key, which sign the JWT exchanged for access tokens, the bot
// that sends, and the named channels and users it sends to.
type LineWorksConfig struct {
	ClientID       string
	ClientSecret   string
	ServiceAccount string
	PrivateKey     *rsa.PrivateKey
	BotID          string
	// AuthURL is the token endpoint, APIURL the base of the Works API; both
	// are LINE WORKS' own unless set (tests point them at local servers).
	AuthURL string
	APIURL  string
	Targets []LineWorksTarget
}

// LineWorksTarget is a named place the bot sends to: a channel (a group
// chat room the bot was invited to) or one user.
type LineWorksTarget struct {
	Name      string
	ChannelID string
	UserID    string
}

// Target returns the target called name.
func (c *LineWorksConfig) Target(name string) (LineWorksTarget, bool) {
	if c == nil {
		return LineWorksTarget{}, false
	}
	for _, t := range c.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return LineWorksTarget{}, false
}

// LINE WORKS' endpoints (API 2.0).
const (
	DefaultLineWorksAuth = "https://auth.worksmobile.com/oauth2/v2.0/token"
	DefaultLineWorksAPI  = "https://www.worksapis.com/v1.0"
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
	secret := secretField{base: "webhook_url"}
	for _, f := range fields {
		switch {
		case f.Key.Value == "name":
			ch.Name = readName(r, f)
		case secret.read(r, f):
		default:
			r.Unknown(f)
		}
	}
	ch.WebhookURL = secret.value(r, n, path, "the Workflows webhook URL the flow gave")
	if ch.WebhookURL != "" {
		if err := checkChatURL(ch.WebhookURL); err != nil {
			r.Errorf(secret.node, secret.path, "%v", err)
		}
	}
	if ch.Name == "" {
		r.Errorf(n, path+".name", "required: the name the policy uses (teams: NAME)")
	}
	return ch, true
}

func readLineWorks(r *confyaml.Reader, section confyaml.Field) *LineWorksConfig {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return nil
	}
	c := &LineWorksConfig{AuthURL: DefaultLineWorksAuth, APIURL: DefaultLineWorksAPI}
	clientSecret := secretField{base: "client_secret"}
	key := secretField{base: "private_key"}
	for _, f := range fields {
		switch {
		case f.Key.Value == "client_id":
			c.ClientID = r.Str(f.Val, f.Path)
		case f.Key.Value == "service_account":
			c.ServiceAccount = r.Str(f.Val, f.Path)
		case f.Key.Value == "bot_id":
			c.BotID = r.Str(f.Val, f.Path)
			if strings.ContainsAny(c.BotID, "/?# ") {
				r.Errorf(f.Val, f.Path, "must be the bot's ID as the Developer Console shows it; got %q", c.BotID)
			}
		case f.Key.Value == "auth_url":
			c.AuthURL = readChatURL(r, f)
		case f.Key.Value == "api_url":
			c.APIURL = strings.TrimSuffix(readChatURL(r, f), "/")
		case f.Key.Value == "targets":
			c.Targets = readLineWorksTargets(r, f)
		case clientSecret.read(r, f), key.read(r, f):
		default:
			r.Unknown(f)
		}
	}
	c.ClientSecret = clientSecret.value(r, section.Key, section.Path, "the app's client secret")
	if pemText := key.value(r, section.Key, section.Path, "the service account's private key (PEM)"); pemText != "" {
		k, err := parseRSAKey([]byte(pemText))
		if err != nil {
			r.Errorf(key.node, key.path, "%v", err)
		}
		c.PrivateKey = k
	}
	for _, req := range []struct{ field, val, what string }{
		{"client_id", c.ClientID, "the app's client ID from the Developer Console"},
		{"service_account", c.ServiceAccount, "the app's service account, such as abcde.serviceaccount@example.com"},
		{"bot_id", c.BotID, "the ID of the bot that sends"},
	} {
		if req.val == "" {
			r.Errorf(section.Key, section.Path+"."+req.field, "required: %s", req.what)
		}
	}
	if len(c.Targets) == 0 {
		r.Errorf(section.Key, section.Path+".targets", "required: at least one target with a name and a channel_id or user_id")
	}
	return c
}

func readLineWorksTargets(r *confyaml.Reader, f confyaml.Field) []LineWorksTarget {
	var out []LineWorksTarget
	seen := map[string]bool{}
	for i, item := range r.List(f.Val, f.Path) {
		path := fmt.Sprintf("%s[%d]", f.Path, i)
		fields, ok := r.Fields(item, path)
		if !ok {
			continue
		}
		var t LineWorksTarget
		for _, tf := range fields {
			switch tf.Key.Value {
			case "name":
				t.Name = readName(r, tf)
			case "channel_id":
				t.ChannelID = readID(r, tf)
			case "user_id":
				t.UserID = readID(r, tf)
			default:
				r.Unknown(tf)
			}
		}
		switch {
		case t.Name == "":
			r.Errorf(item, path+".name", "required: the name the policy uses (lineworks: NAME)")
		case (t.ChannelID == "") == (t.UserID == ""):
			r.Errorf(item, path, "give either channel_id (a chat room the bot is in) or user_id, not both")
		case seen[t.Name]:
			r.Errorf(item, path+".name", "duplicate target %q", t.Name)
		}
		seen[t.Name] = true
		out = append(out, t)
	}
	return out
}

func readName(r *confyaml.Reader, f confyaml.Field) string {
	n := r.Str(f.Val, f.Path)
	if !targetName.MatchString(n) {
		r.Errorf(f.Val, f.Path, "must be lower-case letters, digits and '-'; got %q", n)
	}
	return n
}

// readID reads a LINE WORKS channel or user ID, which goes into a URL path.
func readID(r *confyaml.Reader, f confyaml.Field) string {
	id := r.Str(f.Val, f.Path)
	if id == "" || strings.ContainsAny(id, "/?#% \t") {
		r.Errorf(f.Val, f.Path, "must be an ID as LINE WORKS shows it (no '/', '?', '#', '%%' or spaces); got %q", id)
	}
	return id
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

// parseRSAKey reads the private key the Developer Console issues for a
// service account: PKCS#8 PEM ("BEGIN PRIVATE KEY"), or PKCS#1.
func parseRSAKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("must be an RSA private key in PEM (-----BEGIN PRIVATE KEY-----)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a readable private key: %v", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("must be an RSA key (LINE WORKS signs with RS256); got %T", k)
	}
	return rk, nil
}

// secretField reads a secret given one of three ways: in the config (base),
// in an environment variable (base_env) or in a file (base_file, relative
// to the config file's folder); exactly one of them.
type secretField struct {
	base  string
	given []string
	node  *yaml.Node
	path  string
	val   string
}

// read takes f when it is one of the secret's keys.
func (s *secretField) read(r *confyaml.Reader, f confyaml.Field) bool {
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
	s.node, s.path = f.Val, f.Path
	return true
}

// value checks that the secret was given once and returns it.
func (s *secretField) value(r *confyaml.Reader, n *yaml.Node, path, what string) string {
	switch len(s.given) {
	case 0:
		r.Errorf(n, path+"."+s.base, "required: %s, as %s, %s_env or %s_file", what, s.base, s.base, s.base)
		return ""
	case 1:
		return s.val
	}
	r.Errorf(s.node, path, "give one of %s, %s_env and %s_file; got %s", s.base, s.base, s.base, strings.Join(s.given, " and "))
	return ""
}
