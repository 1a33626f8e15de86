package policy

import (
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// namedRef is a place where the policy names a Teams channel or a LINE WORKS
// target. Their addresses and credentials are secrets kept in the notify
// section, so the policy names them and CheckNamedTargets checks the names
// once both sections are read.
type namedRef struct {
	channel Channel
	name    string
	at      confyaml.FieldError // file, line, column and field of the name
}

// named reads the name of a Teams channel or LINE WORKS target.
func (p *parser) named(f confyaml.Field, ch Channel) string {
	n := p.Str(f.Val, f.Path)
	if !namePattern.MatchString(n) {
		p.Errorf(f.Val, f.Path, "must name a %s target of the notify section (lower-case letters, digits and '-'); got %q", ch, n)
		return n
	}
	p.refs = append(p.refs, namedRef{channel: ch, name: n,
		at: confyaml.FieldError{File: p.File, Line: f.Val.Line, Column: f.Val.Column, Field: f.Path}})
	return n
}

// CheckNamedTargets reports each Teams channel and LINE WORKS target the
// policy names that known (the notify section) does not have, at its place in
// the file; nil when every name is known.
func (p *Policy) CheckNamedTargets(known func(ch Channel, name string) bool) error {
	var errs confyaml.Errors
	for _, r := range p.named {
		if known(r.channel, r.name) {
			continue
		}
		e := r.at
		section := "notify.teams.channels"
		if r.channel == ChannelLineWorks {
			section = "notify.lineworks.targets"
		}
		e.Message = fmt.Sprintf("no %s target named %q under %s", r.channel, r.name, section)
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
