package notify

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

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

func readLineWorks(r *confyaml.Reader, section confyaml.Field) *LineWorksConfig {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return nil
	}
	c := &LineWorksConfig{AuthURL: DefaultLineWorksAuth, APIURL: DefaultLineWorksAPI}
	clientSecret := confyaml.Secret{Base: "client_secret"}
	key := confyaml.Secret{Base: "private_key"}
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
		case clientSecret.Read(r, f), key.Read(r, f):
		default:
			r.Unknown(f)
		}
	}
	c.ClientSecret = clientSecret.Required(r, section.Key, section.Path, "the app's client secret")
	if pemText := key.Required(r, section.Key, section.Path, "the service account's private key (PEM)"); pemText != "" {
		k, err := parseRSAKey([]byte(pemText))
		if err != nil {
			key.Errorf(r, "%v", err)
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

// readID reads a LINE WORKS channel or user ID, which goes into a URL path.
func readID(r *confyaml.Reader, f confyaml.Field) string {
	id := r.Str(f.Val, f.Path)
	if id == "" || strings.ContainsAny(id, "/?#% \t") {
		r.Errorf(f.Val, f.Path, "must be an ID as LINE WORKS shows it (no '/', '?', '#', '%%' or spaces); got %q", id)
	}
	return id
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
