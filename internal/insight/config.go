package insight

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Config is the insights: section of the config file.
//
//	insights:
//	  review_within: 14d      # a review held later than this after resolution is late
//	  digest:
//	    enabled: true
//	    day: 1                # day of the month (1-28) the digest of the month before goes out
//	    hour: 9               # hour (0-23) in the organisation's time zone
//	    language: ko          # en or ko
//	    teams: [payments]     # default: every team with a lead
//	    cc: [eng-leads@example.com]
type Config struct {
	ReviewWithin time.Duration
	Digest       DigestConfig
}

// DigestConfig says when the monthly digest goes to team leads, and to whom
// else.
type DigestConfig struct {
	Enabled  bool
	Day      int
	Hour     int
	Language string
	Teams    []string
	Cc       []string
}

// DefaultConfig is the section's value when the file has none: reviews due
// within 14 days, no digest.
func DefaultConfig() *Config {
	return &Config{ReviewWithin: DefaultReviewWithin, Digest: DigestConfig{Day: 1, Hour: 9, Language: "en"}}
}

// LoadConfig reads the insights section of the config file at path; teams
// reports whether a team exists (nil: not checked).
func LoadConfig(path string, teams func(string) bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load insights config: %w", err)
	}
	return ParseConfig(path, data, teams)
}

// ParseConfig reads and checks the insights section of data, the contents
// of the config file filename. Every problem comes back in confyaml.Errors,
// naming file, line and field.
func ParseConfig(filename string, data []byte, teams func(string) bool) (*Config, error) {
	r := &confyaml.Reader{}
	cfg := DefaultConfig()
	if err := confyaml.ReadSection(r, filename, data, "insights", func(f confyaml.Field) { readConfig(r, cfg, f, teams) }); err != nil {
		return nil, err
	}
	return cfg, nil
}

func readConfig(r *confyaml.Reader, cfg *Config, section confyaml.Field, teams func(string) bool) {
	if confyaml.IsNull(confyaml.Resolve(section.Val)) {
		return
	}
	fields, ok := r.Fields(section.Val, "insights")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "review_within":
			cfg.ReviewWithin = days(r, f)
		case "digest":
			readDigest(r, &cfg.Digest, f, teams)
		default:
			r.Unknown(f)
		}
	}
}

func readDigest(r *confyaml.Reader, d *DigestConfig, section confyaml.Field, teams func(string) bool) {
	fields, ok := r.Fields(section.Val, section.Path)
	if !ok {
		return
	}
	d.Enabled = true // a digest section turns it on unless it says enabled: false
	for _, f := range fields {
		switch f.Key.Value {
		case "enabled":
			switch s := r.Str(f.Val, f.Path); s {
			case "true":
				d.Enabled = true
			case "false":
				d.Enabled = false
			default:
				r.Errorf(f.Val, f.Path, "must be true or false; got %q", s)
			}
		case "day":
			d.Day = number(r, f, 1, 28)
		case "hour":
			d.Hour = number(r, f, 0, 23)
		case "language":
			d.Language = r.Str(f.Val, f.Path)
			if d.Language != "en" && d.Language != "ko" {
				r.Errorf(f.Val, f.Path, "must be en or ko; got %q", d.Language)
			}
		case "teams":
			d.Teams = nil
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				name := r.Str(item, path)
				if teams != nil && !teams(name) {
					r.Errorf(item, path, "no team named %q in the catalog", name)
					continue
				}
				d.Teams = append(d.Teams, name)
			}
		case "cc":
			d.Cc = nil
			for i, item := range r.List(f.Val, f.Path) {
				path := fmt.Sprintf("%s[%d]", f.Path, i)
				addr := strings.TrimSpace(r.Str(item, path))
				if at := strings.Index(addr, "@"); at < 1 || at == len(addr)-1 || strings.ContainsAny(addr, " ,<>") {
					r.Errorf(item, path, "must be an e-mail address such as leads@example.com; got %q", addr)
					continue
				}
				d.Cc = append(d.Cc, addr)
			}
		default:
			r.Unknown(f)
		}
	}
}

func number(r *confyaml.Reader, f confyaml.Field, lo, hi int) int {
	s := r.Str(f.Val, f.Path)
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.Errorf(f.Val, f.Path, "must be a whole number from %d to %d; got %q", lo, hi, s)
		return lo
	}
	return n
}

// days reads "14d" or a Go duration such as 336h, from one hour to a year.
func days(r *confyaml.Reader, f confyaml.Field) time.Duration {
	s := r.Str(f.Val, f.Path)
	d, err := time.ParseDuration(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var k int
		k, err = strconv.Atoi(n)
		d = time.Duration(k) * 24 * time.Hour
	}
	if err != nil || d < time.Hour || d > 366*24*time.Hour {
		r.Errorf(f.Val, f.Path, "must be a duration from 1h to 366d such as 14d; got %q", s)
		return DefaultReviewWithin
	}
	return d
}
