package flag

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// LoadConfig reads the flags: section of the config file at path: a list
// of switch definitions. services, when not nil, reports whether a service
// is in the catalog.
func LoadConfig(path string, services func(string) bool) ([]Switch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load flags config: %w", err)
	}
	return ParseConfig(path, data, services)
}

// ParseConfig reads and checks the flags: section of data, the contents of
// the config file filename. Every problem comes back as confyaml.Errors
// naming file, line and field.
func ParseConfig(filename string, data []byte, services func(string) bool) ([]Switch, error) {
	r := &confyaml.Reader{}
	var out []Switch
	err := confyaml.ReadSection(r, filename, data, "flags", func(f confyaml.Field) {
		seen := map[string]int{}
		items := r.List(f.Val, "flags")
		if len(items) > MaxSwitches {
			r.Errorf(f.Val, "flags", "defines %d switches; Firebreak serves at most %d", len(items), MaxSwitches)
			return
		}
		for i, n := range items {
			path := fmt.Sprintf("flags[%d]", i)
			sw, ok := readSwitch(r, n, path, services)
			if !ok {
				continue
			}
			if line := seen[sw.Key]; line > 0 {
				r.Errorf(n, path+".key", "switch %q is defined twice (first at line %d)", sw.Key, line)
				continue
			}
			seen[sw.Key] = n.Line
			out = append(out, sw)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readSwitch(r *confyaml.Reader, n *yaml.Node, path string, services func(string) bool) (Switch, bool) {
	fields, ok := r.Fields(n, path)
	if !ok {
		return Switch{}, false
	}
	sw := Switch{Enabled: true, Source: SourceConfig, Rules: []Rule{}}
	errsBefore := len(r.Errs)
	var variants confyaml.Field
	var serviceNode *yaml.Node
	for _, f := range fields {
		switch f.Key.Value {
		case "key":
			sw.Key = r.Str(f.Val, f.Path)
		case "service":
			sw.Service, serviceNode = r.Str(f.Val, f.Path), f.Val
		case "description":
			sw.Description = r.Str(f.Val, f.Path)
		case "type":
			sw.Type = Type(r.Str(f.Val, f.Path))
		case "default":
			sw.DefaultVariant = r.Str(f.Val, f.Path)
		case "enabled":
			v := confyaml.Resolve(f.Val)
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || err != nil {
				r.Errorf(v, f.Path, "must be true or false; got %s", confyaml.Describe(v))
			}
			sw.Enabled = b
		case "variants":
			variants = f
		case "rules":
			for j, rn := range r.List(f.Val, f.Path) {
				sw.Rules = append(sw.Rules, readRule(r, rn, fmt.Sprintf("%s[%d]", f.Path, j)))
			}
		default:
			r.Unknown(f)
		}
	}
	if variants.Val != nil {
		sw.Variants = readVariants(r, variants)
	}
	if len(r.Errs) > errsBefore {
		return Switch{}, false
	}
	if err := sw.Check(); err != nil {
		e, _ := fail.As(err)
		field, msg := "", err.Error()
		if e != nil {
			field, msg = e.Field, e.Message
		}
		r.Errorf(n, path+"."+field, "%s", msg)
		return Switch{}, false
	}
	if services != nil && !services(sw.Service) {
		r.Errorf(serviceNode, path+".service", "unknown service %q (not in the catalog)", sw.Service)
		return Switch{}, false
	}
	return sw, true
}

func readVariants(r *confyaml.Reader, f confyaml.Field) map[string]any {
	fields, ok := r.Fields(f.Val, f.Path)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, v := range fields {
		n := confyaml.Resolve(v.Val)
		if n.Kind != yaml.ScalarNode || confyaml.IsNull(n) {
			r.Errorf(n, v.Path, "must be a boolean, string or number; got %s", confyaml.Describe(n))
			continue
		}
		switch n.ShortTag() {
		case "!!bool":
			out[v.Key.Value], _ = strconv.ParseBool(n.Value)
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				r.Errorf(n, v.Path, "must be a number; got %q", n.Value)
				continue
			}
			out[v.Key.Value] = f
		default:
			out[v.Key.Value] = n.Value
		}
	}
	return out
}

func readRule(r *confyaml.Reader, n *yaml.Node, path string) Rule {
	var rule Rule
	fields, ok := r.Fields(n, path)
	if !ok {
		return rule
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "variant":
			rule.Variant = r.Str(f.Val, f.Path)
		case "when":
			for j, cn := range r.List(f.Val, f.Path) {
				rule.Conditions = append(rule.Conditions, readCondition(r, cn, fmt.Sprintf("%s[%d]", f.Path, j)))
			}
		default:
			r.Unknown(f)
		}
	}
	return rule
}

func readCondition(r *confyaml.Reader, n *yaml.Node, path string) Condition {
	var c Condition
	fields, ok := r.Fields(n, path)
	if !ok {
		return c
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "attribute":
			c.Attribute = r.Str(f.Val, f.Path)
		case "op":
			c.Op = Op(r.Str(f.Val, f.Path))
		case "value":
			c.Value = r.Str(f.Val, f.Path)
		case "values":
			for j, vn := range r.List(f.Val, f.Path) {
				c.Values = append(c.Values, r.Str(vn, fmt.Sprintf("%s[%d]", f.Path, j)))
			}
		default:
			r.Unknown(f)
		}
	}
	return c
}

// errUnchanged ends a config sync's update of a switch whose definition the
// file did not change: nothing is written.
var errUnchanged = errors.New("definition unchanged")

// SyncConfig stores the config file's switches: new ones are created, and
// changed definitions are updated with a revision. The live state is kept,
// since the file gives definition and default, not the state a responder
// flipped a switch to (unless the variant it names is gone). A switch made
// in the API under a key the file now uses becomes the file's.
func (s *Service) SyncConfig(ctx context.Context, defs []Switch) error {
	for _, def := range defs {
		if err := s.syncOne(ctx, def); err != nil {
			return fmt.Errorf("flag %s from the config file: %w", def.Key, err)
		}
	}
	return nil
}

func (s *Service) syncOne(ctx context.Context, def Switch) error {
	now := s.now()
	actor := auth.SystemActor
	sw, _, err := s.Store.UpdateSwitch(ctx, def.Key, func(cur Switch) (Switch, *Revision, *auth.AuditEntry, error) {
		if cur.Source == SourceConfig && definitionText(cur) == definitionText(def) {
			return Switch{}, nil, nil, errUnchanged
		}
		next := def.Clone()
		next.State, next.Incident, next.Source = cur.State, cur.Incident, SourceConfig
		if _, ok := next.Variants[next.State]; !ok {
			next.State, next.Incident = "", ""
		}
		next.UpdatedAt, next.UpdatedBy = now, actor
		rev := &Revision{Key: def.Key, Kind: KindConfig, At: now, Actor: actor, Reason: "config file",
			From: definitionText(cur), To: definitionText(next)}
		return next, rev, auth.NewAuditEntry(now, actor, ActionUpdate, target(def.Key), cur, next), nil
	})
	switch {
	case errors.Is(err, errUnchanged):
		return nil
	case err == nil:
		s.changed(sw)
		return nil
	case fail.CodeOf(err) != fail.NotFound:
		return err
	}
	sw = def.Clone()
	sw.Source, sw.Version, sw.UpdatedAt, sw.UpdatedBy = SourceConfig, 1, now, actor
	rev := &Revision{Key: sw.Key, Version: 1, Kind: KindConfig, At: now, Actor: actor, Reason: "config file", To: definitionText(sw)}
	err = s.Store.CreateSwitch(ctx, &sw, rev, auth.NewAuditEntry(now, actor, ActionCreate, target(sw.Key), nil, sw))
	if fail.CodeOf(err) == fail.Conflict {
		return s.syncOne(ctx, def) // another replica created it first
	}
	if err == nil {
		s.changed(sw)
	}
	return err
}
