package report

import (
	"fmt"
	"os"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Config is the report: section of the config file.
type Config struct {
	Template Template
	// RemindEvery is how often an owner is reminded of a report's TBD
	// sections or of an overdue first report.
	RemindEvery time.Duration
}

// DefaultConfig is what a config file without a report section gives.
func DefaultConfig() *Config {
	return &Config{Template: DefaultTemplate(), RemindEvery: 24 * time.Hour}
}

// LoadConfig reads the report section of the config file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load report config: %w", err)
	}
	return ParseConfig(path, data)
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ParseConfig reads and checks the report section of data, the contents of
// the config file filename. Every problem comes back in confyaml.Errors.
func ParseConfig(filename string, data []byte) (*Config, error) {
	r := &confyaml.Reader{}
	cfg := DefaultConfig()
	if err := confyaml.ReadSection(r, filename, data, "report", func(f confyaml.Field) { readConfig(r, cfg, f) }); err != nil {
		return nil, err
	}
	return cfg, nil
}

func readConfig(r *confyaml.Reader, cfg *Config, section confyaml.Field) {
	fields, ok := r.Fields(section.Val, "report")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "sections":
			items := r.List(f.Val, f.Path)
			if len(items) == 0 {
				r.Errorf(f.Val, f.Path, "must list at least one section")
				continue
			}
			cfg.Template = Template{}
			seen := map[string]bool{}
			for i, item := range items {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				s, ok := readSection(r, item, path)
				if !ok {
					continue
				}
				if seen[s.Key] {
					r.Errorf(item, path+".key", "duplicate section %q", s.Key)
				}
				seen[s.Key] = true
				cfg.Template.Sections = append(cfg.Template.Sections, s)
			}
		case "remind_every":
			s := r.Str(f.Val, f.Path)
			d, err := time.ParseDuration(s)
			if err != nil || d < time.Hour || d > 30*24*time.Hour {
				r.Errorf(f.Val, f.Path, "must be a duration from 1h to 720h such as 24h; got %q", s)
				continue
			}
			cfg.RemindEvery = d
		default:
			r.Unknown(f)
		}
	}
}

func readSection(r *confyaml.Reader, n *yaml.Node, path string) (Section, bool) {
	fields, ok := r.Fields(n, path)
	if !ok {
		return Section{}, false
	}
	s := Section{Title: map[string]string{}, Help: map[string]string{}, Required: true}
	for _, f := range fields {
		switch f.Key.Value {
		case "key":
			s.Key = r.Str(f.Val, f.Path)
			if !keyPattern.MatchString(s.Key) {
				r.Errorf(f.Val, f.Path, "must be lower-case letters, digits and '_', starting with a letter; got %q", s.Key)
			}
		case "title", "help":
			texts, ok := r.Fields(f.Val, f.Path)
			if !ok {
				continue
			}
			dst := s.Title
			if f.Key.Value == "help" {
				dst = s.Help
			}
			for _, t := range texts {
				if t.Key.Value != "en" && t.Key.Value != "ko" {
					r.Errorf(t.Key, t.Path, "must be en or ko")
					continue
				}
				dst[t.Key.Value] = r.Str(t.Val, t.Path)
			}
		case "required":
			var b bool
			if v := confyaml.Resolve(f.Val); v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
				r.Errorf(f.Val, f.Path, "must be true or false; got %s", confyaml.Describe(v))
			}
			s.Required = b
		default:
			r.Unknown(f)
		}
	}
	switch {
	case s.Key == "":
		r.Errorf(n, path+".key", "required")
	case s.Title["en"] == "" && s.Title["ko"] == "":
		r.Errorf(n, path+".title", "required: the section's title in en and ko")
	}
	return s, true
}
