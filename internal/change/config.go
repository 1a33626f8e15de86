package change

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Config is the changes: section of the config file.
type Config struct {
	Rules Rules
	// Window is how long before an incident started its changes are shown.
	Window time.Duration
	// GitHubSecret checks X-Hub-Signature-256 on POST /hooks/github;
	// WebhookSecret signs POST /hooks/changes. Empty: that hook is off.
	GitHubSecret  string
	WebhookSecret string
	// ReplayWindow bounds the age of a signed generic change webhook.
	ReplayWindow time.Duration
	// Environments, when set, are the only environments whose changes are
	// recorded: a staging deploy must not decide whether production can be
	// rolled back. Changes that name no environment are always recorded.
	Environments []string
}

// RecordsEnvironment reports whether changes to env are recorded.
func (c *Config) RecordsEnvironment(env string) bool {
	if env == "" || len(c.Environments) == 0 {
		return true
	}
	for _, e := range c.Environments {
		if strings.EqualFold(e, env) {
			return true
		}
	}
	return false
}

// DefaultWindow is how far before an incident's start its changes reach.
const DefaultWindow = 24 * time.Hour

// DefaultConfig is what a config file without a changes section gives.
func DefaultConfig() *Config {
	return &Config{Rules: DefaultRules(), Window: DefaultWindow, ReplayWindow: 5 * time.Minute}
}

// LoadConfig reads the changes section of the config file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load changes config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig reads and checks the changes section of data, the contents of
// the config file filename. Every problem comes back in confyaml.Errors,
// naming file, line and field.
func ParseConfig(filename string, data []byte) (*Config, error) {
	r := &confyaml.Reader{}
	cfg := DefaultConfig()
	if err := confyaml.ReadSection(r, filename, data, "changes", func(f confyaml.Field) { readConfig(r, cfg, f) }); err != nil {
		return nil, err
	}
	return cfg, nil
}

func readConfig(r *confyaml.Reader, cfg *Config, section confyaml.Field) {
	if confyaml.IsNull(confyaml.Resolve(section.Val)) {
		return
	}
	fields, ok := r.Fields(section.Val, "changes")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "labels":
			cfg.Rules.Labels = nil
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				if l := strings.TrimSpace(r.Str(item, path)); l != "" {
					cfg.Rules.Labels = append(cfg.Rules.Labels, l)
				} else {
					r.Errorf(item, path, "must not be empty")
				}
			}
		case "not_rollbackable_kinds":
			cfg.Rules.NotRollbackableKinds = nil
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				k := Kind(r.Str(item, path))
				if !k.Valid() {
					r.Errorf(item, path, "must be one of deploy, config, migration, infrastructure, flag, code; got %q", k)
					continue
				}
				cfg.Rules.NotRollbackableKinds = append(cfg.Rules.NotRollbackableKinds, k)
			}
		case "environments":
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				if e := strings.TrimSpace(r.Str(item, path)); e != "" {
					cfg.Environments = append(cfg.Environments, e)
				} else {
					r.Errorf(item, path, "must not be empty")
				}
			}
		case "window":
			cfg.Window = duration(r, f, time.Hour, 30*24*time.Hour)
		case "replay_window":
			cfg.ReplayWindow = duration(r, f, 30*time.Second, time.Hour)
		case "github_secret":
			cfg.GitHubSecret = secret(r, f)
		case "webhook_secret":
			cfg.WebhookSecret = secret(r, f)
		default:
			r.Unknown(f)
		}
	}
}

func duration(r *confyaml.Reader, f confyaml.Field, lo, hi time.Duration) time.Duration {
	s := r.Str(f.Val, f.Path)
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		r.Errorf(f.Val, f.Path, "must be a duration from %s to %s such as 24h; got %q", lo, hi, s)
		return 0
	}
	return d
}

// secret reads a webhook secret; short ones are refused because anyone who
// guesses it can write to the registry.
func secret(r *confyaml.Reader, f confyaml.Field) string {
	s := r.Str(f.Val, f.Path)
	if s != "" && len(s) < 16 {
		r.Errorf(f.Val, f.Path, "must be at least 16 characters")
	}
	return s
}
