package notify

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Config is the notify: section of the config file: how to reach each
// channel. A channel left out is off, and messages for it fail with that
// reason.
type Config struct {
	Email *EmailConfig
	Slack *SlackConfig
	// Teams are the Microsoft Teams channels Firebreak posts to, by name.
	Teams *TeamsConfig
	// LineWorks is the LINE WORKS bot Firebreak sends as, and its targets.
	LineWorks *LineWorksConfig
}

// EmailConfig says how to reach the SMTP server that sends Firebreak's mail.
type EmailConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	From     string // the sender, "Firebreak <firebreak@example.com>"
	// TLS is "starttls" (required; the default), "tls" (implicit, as on
	// port 465) or "none" (a relay on the same host).
	TLS string
}

// SlackConfig is the Slack app Firebreak posts as.
type SlackConfig struct {
	Token  string // bot token, xoxb-…
	APIURL string // default https://slack.com/api
}

// DefaultSlackAPI is Slack's Web API.
const DefaultSlackAPI = "https://slack.com/api"

// LoadConfig reads the notify section of the config file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load notify config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig reads and checks the notify section of data, the contents of
// the config file filename; without one every channel is off.
func ParseConfig(filename string, data []byte) (*Config, error) {
	r := &confyaml.Reader{}
	c := &Config{}
	err := confyaml.ReadSection(r, filename, data, "notify", func(f confyaml.Field) {
		if !confyaml.IsNull(confyaml.Resolve(f.Val)) {
			readConfig(r, c, f)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func readConfig(r *confyaml.Reader, c *Config, section confyaml.Field) {
	fields, ok := r.Fields(section.Val, "notify")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "email":
			c.Email = readEmail(r, f)
		case "slack":
			c.Slack = readSlack(r, f)
		case "teams":
			c.Teams = readTeams(r, f)
		case "lineworks":
			c.LineWorks = readLineWorks(r, f)
		default:
			r.Unknown(f)
		}
	}
}

func readEmail(r *confyaml.Reader, section confyaml.Field) *EmailConfig {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return nil
	}
	e := &EmailConfig{TLS: "starttls"}
	var smtpNode *yaml.Node
	for _, f := range fields {
		switch f.Key.Value {
		case "smtp":
			smtpNode = f.Val
			addr := r.Str(f.Val, f.Path)
			host, port, err := net.SplitHostPort(addr)
			p, perr := strconv.Atoi(port)
			if err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
				r.Errorf(f.Val, f.Path, "must be host:port such as mail.example.com:587; got %q", addr)
				continue
			}
			e.Host, e.Port = host, p
		case "from":
			e.From = r.Str(f.Val, f.Path)
			if _, err := mail.ParseAddress(e.From); err != nil {
				r.Errorf(f.Val, f.Path, "must be an address such as \"Firebreak <firebreak@example.com>\"; got %q", e.From)
			}
		case "tls":
			e.TLS = r.Str(f.Val, f.Path)
			if e.TLS != "starttls" && e.TLS != "tls" && e.TLS != "none" {
				r.Errorf(f.Val, f.Path, "must be starttls, tls or none; got %q", e.TLS)
			}
		case "username":
			e.Username = r.Str(f.Val, f.Path)
		case "password":
			e.Password = r.Str(f.Val, f.Path)
		default:
			r.Unknown(f)
		}
	}
	switch {
	case smtpNode == nil:
		r.Errorf(section.Key, section.Path+".smtp", "required: the SMTP server as host:port")
	case e.From == "":
		r.Errorf(section.Key, section.Path+".from", "required: the sender address")
	}
	return e
}

func readSlack(r *confyaml.Reader, section confyaml.Field) *SlackConfig {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return nil
	}
	s := &SlackConfig{APIURL: DefaultSlackAPI}
	for _, f := range fields {
		switch f.Key.Value {
		case "token":
			s.Token = r.Str(f.Val, f.Path)
			if !strings.HasPrefix(s.Token, "xoxb-") {
				r.Errorf(f.Val, f.Path, "must be a bot token (xoxb-…)")
			}
		case "api_url":
			s.APIURL = strings.TrimSuffix(r.Str(f.Val, f.Path), "/")
			if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				r.Errorf(f.Val, f.Path, "must be an absolute http(s) URL; got %q", s.APIURL)
			}
		default:
			r.Unknown(f)
		}
	}
	if s.Token == "" {
		r.Errorf(section.Key, section.Path+".token", "required: the bot token Firebreak posts with")
	}
	return s
}
