package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Repository is a source repository (or a path inside one) that belongs to
// a service: changes recorded for the repository are the service's.
type Repository struct {
	// Repo is "owner/name" as GitHub spells it.
	Repo string `json:"repo"`
	// Path, when set, is the folder of a monorepo that holds the service,
	// such as "services/checkout/".
	Path string `json:"path,omitempty"`
}

var repoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$`)

// repositories reads a service's repositories: list.
func (p *parser) repositories(f field) []Repository {
	var out []Repository
	for i, item := range p.List(f.Val, f.Path) {
		path := fmt.Sprintf("%s[%d]", f.Path, i)
		fields, ok := p.Fields(item, path)
		if !ok {
			continue
		}
		var r Repository
		for _, g := range fields {
			switch g.Key.Value {
			case "repo":
				r.Repo = p.Str(g.Val, g.Path)
				if !repoPattern.MatchString(r.Repo) {
					p.Errorf(g.Val, g.Path, "must be owner/name; got %q", r.Repo)
				}
			case "path":
				r.Path = strings.TrimPrefix(p.Str(g.Val, g.Path), "/")
			default:
				p.Unknown(g)
			}
		}
		if r.Repo == "" {
			p.Errorf(item, path+".repo", "required")
			continue
		}
		out = append(out, r)
	}
	return out
}

// ServiceExists reports whether the catalog has the service.
func (c *Catalog) ServiceExists(name string) bool {
	_, ok := c.serviceAt[name]
	return ok
}

// DependsOn names the services the service depends on directly.
func (c *Catalog) DependsOn(name string) []string {
	i, ok := c.serviceAt[name]
	if !ok {
		return nil
	}
	return append([]string(nil), c.services[i].DependsOn...)
}

// ServicesOfRepo names the services a repository belongs to, in file
// order. With paths (the files a change touched), a service with a path
// prefix belongs only when one of them lies under it; without paths, every
// service of the repository does. Repositories compare without case, as on
// GitHub.
func (c *Catalog) ServicesOfRepo(repo string, paths []string) []string {
	var out []string
	for _, s := range c.services {
		for _, r := range s.Repositories {
			if !strings.EqualFold(r.Repo, repo) || !underAny(r.Path, paths) {
				continue
			}
			out = append(out, s.Name)
			break
		}
	}
	return out
}

func underAny(prefix string, paths []string) bool {
	if prefix == "" || len(paths) == 0 {
		return true
	}
	for _, p := range paths {
		if strings.HasPrefix(strings.TrimPrefix(p, "/"), prefix) {
			return true
		}
	}
	return false
}

// DirectDependants names the services that depend on the service directly,
// in file order: the incidents whose page lists its changes.
func (c *Catalog) DirectDependants(name string) []string {
	return slices.Clone(c.dependants[name])
}
