package maintenance

import (
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// LoadConfig reads the maintenance: section of the config file at path: a
// list of planned windows. services, when not nil, reports whether a
// service is in the catalog.
func LoadConfig(path string, services func(string) bool) ([]WindowInput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load maintenance config: %w", err)
	}
	return ParseConfig(path, data, services)
}

// ParseConfig reads and checks the maintenance: section of data, e.g.
//
//	maintenance:
//	  - title: 결제 DB 업그레이드
//	    services: [payments-db]
//	    starts_at: 2026-12-05T22:00:00+09:00
//	    ends_at: 2026-12-06T00:00:00+09:00
//	    public: true
//	  - title: Weekly patching
//	    matchers: ['env="staging"']
//	    recurrence: {weekdays: [tue, thu], at: "02:00", duration: 2h, zone: Asia/Seoul}
//
// Every problem comes back as confyaml.Errors naming file, line and field.
func ParseConfig(filename string, data []byte, services func(string) bool) ([]WindowInput, error) {
	r := &confyaml.Reader{}
	var out []WindowInput
	err := confyaml.ReadSection(r, filename, data, "maintenance", func(f confyaml.Field) {
		for i, n := range r.List(f.Val, "maintenance") {
			path := fmt.Sprintf("maintenance[%d]", i)
			if in, ok := readWindow(r, n, path, services); ok {
				out = append(out, in)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readWindow(r *confyaml.Reader, n *yaml.Node, path string, services func(string) bool) (WindowInput, bool) {
	fields, ok := r.Fields(n, path)
	if !ok {
		return WindowInput{}, false
	}
	var in WindowInput
	before := len(r.Errs)
	nodes := map[string]*yaml.Node{}
	for _, f := range fields {
		nodes[f.Key.Value] = f.Val
		switch f.Key.Value {
		case "title":
			in.Title = r.Str(f.Val, f.Path)
		case "reason":
			in.Reason = r.Str(f.Val, f.Path)
		case "services":
			for j, s := range r.List(f.Val, f.Path) {
				in.Services = append(in.Services, r.Str(s, fmt.Sprintf("%s[%d]", f.Path, j)))
			}
		case "matchers":
			for j, s := range r.List(f.Val, f.Path) {
				p := fmt.Sprintf("%s[%d]", f.Path, j)
				m, err := ParseMatcher(r.Str(s, p))
				if err != nil {
					r.Errorf(s, p, "%v", err)
					continue
				}
				in.Matchers = append(in.Matchers, m)
			}
		case "starts_at":
			in.StartsAt = readTime(r, f.Val, f.Path)
		case "ends_at":
			in.EndsAt = readTime(r, f.Val, f.Path)
		case "public":
			v := r.Str(f.Val, f.Path)
			if v != "true" && v != "false" {
				r.Errorf(f.Val, f.Path, "must be true or false")
			}
			in.Public = v == "true"
		case "recurrence":
			in.Recurrence = readRecurrence(r, f.Val, f.Path, nodes)
		default:
			r.Unknown(f)
		}
	}
	if len(r.Errs) > before {
		return in, false
	}
	w := in.Window(ConfigActor)
	if err := w.Check(services); err != nil {
		fe, _ := fail.As(err)
		at := n
		if fe != nil {
			if node := nodes[fe.Field]; node != nil {
				at = node
			} else if node := nodes[fieldRoot(fe.Field)]; node != nil {
				at = node
			}
			r.Errorf(at, path+"."+fe.Field, "%s", fe.Message)
		} else {
			r.Errorf(at, path, "%v", err)
		}
		return in, false
	}
	return in, true
}

// fieldRoot is the top-level key of a field path like recurrence.at.
func fieldRoot(field string) string {
	for i := range len(field) {
		if field[i] == '.' {
			return field[:i]
		}
	}
	return field
}

func readTime(r *confyaml.Reader, n *yaml.Node, path string) time.Time {
	s := r.Str(n, path)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		r.Errorf(n, path, "%q must be a time such as 2026-12-05T22:00:00+09:00", s)
	}
	return t
}

func readRecurrence(r *confyaml.Reader, n *yaml.Node, path string, nodes map[string]*yaml.Node) *Recurrence {
	fields, ok := r.Fields(n, path)
	if !ok {
		return nil
	}
	rec := &Recurrence{}
	for _, f := range fields {
		nodes["recurrence."+f.Key.Value] = f.Val
		switch f.Key.Value {
		case "weekdays":
			for j, d := range r.List(f.Val, f.Path) {
				rec.Weekdays = append(rec.Weekdays, r.Str(d, fmt.Sprintf("%s[%d]", f.Path, j)))
			}
		case "at":
			rec.At = r.Str(f.Val, f.Path)
		case "duration":
			rec.Duration = r.Str(f.Val, f.Path)
		case "zone":
			rec.Zone = r.Str(f.Val, f.Path)
		default:
			r.Unknown(f)
		}
	}
	return rec
}
