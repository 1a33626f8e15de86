// Package confyaml reads sections of Firebreak's YAML config file with their
// positions, so that every problem found names file, line, column and field.
// Each section's parser (catalog, intake, …) embeds a Reader and collects all
// problems instead of stopping at the first.
package confyaml

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FieldError is one problem in a config file. Line and Column count from 1;
// they are 0 when the place is not known. Field is the path to the value at
// fault, such as "services[3].depends_on[1]", and is empty for syntax errors.
type FieldError struct {
	File    string
	Line    int
	Column  int
	Field   string
	Message string
}

// Error formats e as "file:line:column: field: message", the form editors and
// terminals turn into a link to the place.
func (e FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is every problem found in a config file, sorted by place.
type Errors []FieldError

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each problem, so errors.As can find a FieldError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Sort orders es by place; problems at the same place keep the order found.
func (es Errors) Sort() {
	slices.SortStableFunc(es, func(a, b FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// Reader collects the problems of one file as a section's parser walks it.
type Reader struct {
	File string
	Errs Errors
}

// ReadSection reads one top-level section of a config file: it parses data,
// the contents of filename, and hands the section named key, when the file
// has one, to read. Every problem — a syntax error, or what read reported
// through r — comes back as Errors sorted by place; nil when there is none.
func ReadSection(r *Reader, filename string, data []byte, key string, read func(Field)) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Errors{SyntaxError(filename, data, err)}
	}
	r.File = filename
	if len(doc.Content) > 0 {
		if top, ok := r.Fields(doc.Content[0], ""); ok {
			for _, f := range top {
				if f.Key.Value == key {
					read(f)
				}
			}
		}
	}
	if len(r.Errs) > 0 {
		r.Errs.Sort()
		return r.Errs
	}
	return nil
}

// Errorf records a problem at node n, about the field at path.
func (r *Reader) Errorf(n *yaml.Node, field, format string, args ...any) {
	r.Errs = append(r.Errs, FieldError{File: r.File, Line: n.Line, Column: n.Column, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Field is one key and value of a mapping, with the path errors about it use.
type Field struct {
	Key, Val *yaml.Node
	Path     string
}

// Fields returns the keys and values of the mapping n, reporting what no
// entry may hold: a key given twice, one that is not a plain name, or a merge
// key. It returns false when n is not a mapping at all.
func (r *Reader) Fields(n *yaml.Node, path string) ([]Field, bool) {
	n = Resolve(n)
	if n.Kind != yaml.MappingNode {
		r.Errorf(n, path, "must be a mapping; got %s", Describe(n))
		return nil, false
	}
	var out []Field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		fpath := path + "." + key.Value
		switch {
		case key.Kind != yaml.ScalarNode:
			r.Errorf(key, path, "keys must be plain names; got %s", Describe(key))
		case key.ShortTag() == "!!merge":
			// Merging would hide where a value came from, so errors could not point at it.
			r.Errorf(key, fpath, "merge keys are not supported")
		case seen[key.Value] > 0:
			r.Errorf(key, fpath, "given twice (first at line %d)", seen[key.Value])
		default:
			seen[key.Value] = key.Line
			out = append(out, Field{Key: key, Val: val, Path: fpath})
		}
	}
	return out, true
}

// Unknown reports a key the section does not know.
func (r *Reader) Unknown(f Field) {
	r.Errorf(f.Key, f.Path, "unknown field")
}

// List returns the items of the sequence n; null stands for an empty list.
func (r *Reader) List(n *yaml.Node, path string) []*yaml.Node {
	n = Resolve(n)
	if IsNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.Errorf(n, path, "must be a list; got %s", Describe(n))
		return nil
	}
	return n.Content
}

// Str returns the scalar n as a string; null stands for "".
func (r *Reader) Str(n *yaml.Node, path string) string {
	n = Resolve(n)
	if IsNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		r.Errorf(n, path, "must be a string; got %s", Describe(n))
		return ""
	}
	return n.Value
}

// Resolve follows an alias to the node it names, so *anchor works anywhere.
func Resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is YAML's null.
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe names what n holds, for messages that say what was expected instead.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if IsNull(n) {
			return "null"
		}
		kind, ok := scalarKinds[n.ShortTag()]
		if !ok {
			kind = "value"
		}
		return fmt.Sprintf("%s %q", kind, n.Value)
	}
	return "nothing"
}

var scalarKinds = map[string]string{
	"!!str":       "string",
	"!!int":       "integer",
	"!!float":     "number",
	"!!bool":      "boolean",
	"!!timestamp": "time",
	"!!binary":    "binary",
}

// yamlLine finds the line in yaml.v3's syntax errors, "yaml: line 3: ...".
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// SyntaxError places a YAML syntax error on the first line from which the
// file no longer parses: yaml.v3's own line is often where the enclosing
// block began, which sends the reader to the wrong place.
func SyntaxError(filename string, data []byte, err error) FieldError {
	msg := err.Error()
	e := FieldError{File: filename, Message: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Message = msg[len(m[0]):]
		e.Line, _ = strconv.Atoi(m[1])
	}
	if line := brokenLine(data); line > 0 {
		e.Line = line
	}
	return e
}

// brokenLine returns the first line from which data no longer parses as
// YAML, or 0 if the file is too long to look: the search grows with the
// square of the file's length (about 0.15 s at maxProbeLines, for a quote
// left open near the top); past it yaml.v3's own line is used.
func brokenLine(data []byte) int {
	const maxProbeLines = 1000
	starts := []int{0} // starts[i] is the offset of line i+1
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	if len(starts) > maxProbeLines {
		return 0
	}
	// Search from the end: a multi-line flow list or quoted string cut short
	// fails to parse too, but the lines after it bring it back.
	for i := len(starts) - 1; i > 0; i-- {
		var n yaml.Node
		if yaml.Unmarshal(data[:starts[i]], &n) == nil {
			return i + 1
		}
	}
	return 1
}
