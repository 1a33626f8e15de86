package confyaml

import (
	"os"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// CheckTextFile applies the text rules (internal/textrule) to every key and
// string of a config file, whatever section it is in, so that no section's
// parser can let through what the API refuses. YAML itself refuses raw
// control characters, but a double-quoted "\0" or "\e" yields them. Keys and
// the values of name, title and label fields (and of maps under a title,
// such as title: {en: …, ko: …}) are one line with no bidirectional
// controls; other values, templates among them, may span lines.
func CheckTextFile(filename string) error {
	data, err := os.ReadFile(filename)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil // the sections' parsers report the syntax error with its place
	}
	r := &Reader{File: filename}
	for _, n := range doc.Content {
		r.checkText(n, "", false)
	}
	if len(r.Errs) > 0 {
		r.Errs.Sort()
		return r.Errs
	}
	return nil
}

// titleKeys name the fields whose values are read as titles.
var titleKeys = map[string]bool{"name": true, "title": true, "label": true, "names": true, "titles": true}

func (r *Reader) checkText(n *yaml.Node, path string, title bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if msg := textrule.Problem(k.Value, false, true); msg != "" {
				r.Errorf(k, p, "the key %s", msg)
				continue
			}
			r.checkText(v, p, title || titleKeys[k.Value])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			r.checkText(c, path+"["+strconv.Itoa(i)+"]", title)
		}
	case yaml.ScalarNode:
		if msg := textrule.Problem(n.Value, !title, title); msg != "" {
			r.Errorf(n, path, "%s", msg)
		}
	}
}
