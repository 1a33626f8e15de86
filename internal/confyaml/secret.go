package confyaml

import (
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Secret reads a secret given one of three ways: in the config (Base), in an
// environment variable (Base_env) or in a file (Base_file, relative to the
// config file's folder); at most one of them. Operators keep tokens out of
// the config file with the last two, so every section reads them alike.
type Secret struct {
	// Base is the key the secret is given by in the config, such as "token".
	Base string

	given []string
	node  *yaml.Node
	path  string
	val   string
}

// Read takes f when it is one of the secret's three keys, and reports
// whether it was: a section's parser tries it before its own keys.
func (s *Secret) Read(r *Reader, f Field) bool {
	switch f.Key.Value {
	case s.Base:
		s.val = r.Str(f.Val, f.Path)
	case s.Base + "_env":
		name := r.Str(f.Val, f.Path)
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			r.Errorf(f.Val, f.Path, "environment variable %s is not set", name)
		}
		s.val = strings.TrimSpace(v)
	case s.Base + "_file":
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

// Required returns the secret, reporting it when it was not given (at n,
// the mapping at path that should hold it; what says what it is) or given
// more than one way.
func (s *Secret) Required(r *Reader, n *yaml.Node, path, what string) string {
	if len(s.given) == 0 {
		r.Errorf(n, path+"."+s.Base, "required: %s, as %s, %s_env or %s_file", what, s.Base, s.Base, s.Base)
		return ""
	}
	return s.Optional(r, path)
}

// Optional returns the secret, or "" when it was not given; it reports the
// secret given more than one way, as a problem of the mapping at path.
func (s *Secret) Optional(r *Reader, path string) string {
	if len(s.given) > 1 {
		r.Errorf(s.node, path, "give one of %s, %s_env and %s_file; got %s", s.Base, s.Base, s.Base, strings.Join(s.given, " and "))
		return ""
	}
	return s.val
}

// Errorf records a problem with the secret's value (such as a URL that is
// not allowed) at the key it was given by.
func (s *Secret) Errorf(r *Reader, format string, args ...any) {
	r.Errorf(s.node, s.path, format, args...)
}
