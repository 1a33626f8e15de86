package policy

import (
	"bytes"
	htemplate "html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	ttemplate "text/template"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// Kind is what a message tells.
type Kind string

// The kinds of message the policy has templates for.
const (
	// KindDeclared is the first message a target gets about an incident: at
	// the declaration, or when a raised grade or a wider scope includes it.
	KindDeclared Kind = "declared"
	// KindUpdate carries a status update to everyone told.
	KindUpdate Kind = "update"
)

// Kinds are the kinds in the order config and docs list them.
var Kinds = []Kind{KindDeclared, KindUpdate}

// Parts are the templates of one kind and language: subject, text and HTML
// for e-mail; chat for Slack and the "text" of webhooks.
type Parts struct {
	Subject *ttemplate.Template
	Text    *ttemplate.Template
	HTML    *htemplate.Template
	Chat    *ttemplate.Template
}

// Templates are the message templates by kind and language.
type Templates map[Kind]map[string]*Parts

// MessageData is what a template sees. Times are in the policy's zone.
type MessageData struct {
	Kind           string
	Ref            string
	Title          string
	Summary        string
	Grade          string
	Guide          string // the grade's guide text in the message's language
	Status         string
	Services       []string
	Visibility     string
	URL            string
	DeclaredBy     string
	Resolver       string
	Communicator   string
	StartedAt      string
	FirstReportDue string
	Target         string // who is told
	Reason         string // why, in the message's language
	Change         string // what brought a target in after the declaration, if anything
	Update         string // the status update's text
}

// Rendered is one message, rendered for every channel.
type Rendered struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	Chat    string `json:"chat"`
}

var funcs = map[string]any{"join": strings.Join}

// Render fills the templates of kind in lang (falling back to the policy's
// language, then English) with d.
func (t Templates) Render(kind Kind, lang string, d MessageData) (Rendered, error) {
	p := t[kind][lang]
	if p == nil {
		p = t[kind]["en"]
	}
	var r Rendered
	var err error
	exec := func(tp interface{ Execute(io.Writer, any) error }) string {
		var b bytes.Buffer
		if err == nil {
			err = tp.Execute(&b, d)
		}
		return b.String()
	}
	r.Subject = strings.TrimSpace(exec(p.Subject))
	r.Text = blankLines.ReplaceAllString(exec(p.Text), "\n\n")
	r.HTML = exec(p.HTML)
	r.Chat = strings.TrimSpace(exec(p.Chat))
	return r, err
}

// blankLines are the runs of empty lines that optional fields leave.
var blankLines = regexp.MustCompile(`\n{3,}`)

// sampleData is what templates are tried with at load, so that a field that
// does not exist is an error then, not when an incident is declared.
var sampleData = MessageData{
	Kind: "declared", Ref: "INC-1", Title: "Payments fail", Summary: "Card payments time out.", Grade: "SEV2",
	Guide: "Tell partners within 30 minutes.", Status: "investigating", Services: []string{"payments"},
	Visibility: "internal", URL: "https://firebreak.example.com/incidents/1", DeclaredBy: "alice",
	Resolver: "bob", Communicator: "carol", StartedAt: "2026-11-24 10:00 KST", FirstReportDue: "2026-11-25 00:00 KST",
	Target: "team payments", Reason: "owns payments", Update: "Rolled back; watching.",
}

// templateLine finds the line in Go template errors: "template: name:3:5: …".
var templateLine = regexp.MustCompile(`^template: [^:]*:(\d+):(?:\d+:)? ?`)

// templates reads the templates: field, over the built-in defaults.
func (p *parser) templates(pol *Policy, f confyaml.Field) {
	kinds, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	for _, k := range kinds {
		kind := Kind(k.Key.Value)
		if _, known := pol.Templates[kind]; !known {
			p.Errorf(k.Key, k.Path, "unknown message kind; known kinds are declared, update")
			continue
		}
		langs, ok := p.Fields(k.Val, k.Path)
		if !ok {
			continue
		}
		for _, l := range langs {
			if l.Key.Value != "en" && l.Key.Value != "ko" {
				p.Errorf(l.Key, l.Path, "must be en or ko")
				continue
			}
			parts := *pol.Templates[kind][l.Key.Value] // unset parts keep the default
			fields, ok := p.Fields(l.Val, l.Path)
			if !ok {
				continue
			}
			broken := false
			for _, pf := range fields {
				name := string(kind) + "." + l.Key.Value + "." + pf.Key.Value
				src := p.Str(pf.Val, pf.Path)
				var err error
				switch pf.Key.Value {
				case "subject":
					err = parseInto(&parts.Subject, name, src)
				case "text":
					err = parseInto(&parts.Text, name, src)
				case "chat":
					err = parseInto(&parts.Chat, name, src)
				case "html":
					var t *htemplate.Template
					if t, err = htemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src); err == nil {
						parts.HTML = t
					}
				default:
					p.Unknown(pf)
					continue
				}
				if err == nil {
					err = trial(&parts, pf.Key.Value) // an unknown field fails now, not at a declaration
				}
				if err != nil {
					p.templateError(pf, err)
					broken = true
				}
			}
			if broken {
				continue
			}
			pol.Templates[kind][l.Key.Value] = &parts
		}
	}
}

func parseInto(dst **ttemplate.Template, name, src string) error {
	t, err := parseText(name, src)
	if err == nil {
		*dst = t
	}
	return err
}

func parseText(name, src string) (*ttemplate.Template, error) {
	return ttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
}

// trial runs one part of a set on sample data.
func trial(parts *Parts, part string) error {
	var t interface{ Execute(io.Writer, any) error }
	switch part {
	case "subject":
		t = parts.Subject
	case "text":
		t = parts.Text
	case "chat":
		t = parts.Chat
	default:
		t = parts.HTML
	}
	return t.Execute(io.Discard, sampleData)
}

// templateError reports a template error at the line of the file it is on:
// the template's own line counted from where its text begins.
func (p *parser) templateError(f confyaml.Field, err error) {
	msg := err.Error()
	line := f.Val.Line
	if m := templateLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		if f.Val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++ // a block scalar's text starts below its indicator
		}
		line += n - 1
	}
	p.Errs = append(p.Errs, confyaml.FieldError{File: p.File, Line: line, Field: f.Path, Message: "template: " + msg})
}
