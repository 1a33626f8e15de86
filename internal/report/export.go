package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Header is what an exported report says about its incident.
type Header struct {
	Ref, Title, Grade, Status string
	Revision                  int
}

// ExportMarkdown writes the report as one Markdown document: a title, then
// each section under a level-2 heading in the template's order.
func (t Template) ExportMarkdown(h Header, sections map[string]string, lang string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", h.Ref, h.Title)
	fmt.Fprintf(&b, "%s\n", h.Meta(lang))
	for _, s := range t.Sections {
		text := strings.TrimSpace(sections[s.Key])
		if text == "" {
			text = TBD
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", s.TitleIn(lang), text)
	}
	return b.String()
}

var standalone = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.H.Ref}}: {{.H.Title}}</title>
<style>
body { font: 16px/1.6 system-ui, "Noto Sans KR", "NanumGothic", sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #d8dce4; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #d8dce4; padding: .2rem .5rem; text-align: left; }
pre { background: #f4f5f8; padding: .5rem; overflow-x: auto; } .meta { color: #5b6475; }
.tbd { display: inline-block; background: #fff3c4; color: #6b4e00; padding: 0 .4rem; border-radius: .3rem; font-weight: 600; }
</style>
</head>
<body>
<h1>{{.H.Ref}}: {{.H.Title}}</h1>
<p class="meta">{{.H.Meta .Lang}}</p>
{{range .Sections}}<section>
<h2>{{.Title}}</h2>
{{if .TBD}}<p><span class="tbd">TBD</span></p>{{else}}{{.HTML}}{{end}}
</section>
{{end}}</body>
</html>
`))

// RenderedSection is a section ready to show.
type RenderedSection struct {
	Key, Title, Help string
	Required, TBD    bool
	Markdown         string
	HTML             template.HTML
}

// Render returns each section of the template with its sanitised HTML.
func (t Template) Render(sections map[string]string, lang string) []RenderedSection {
	out := make([]RenderedSection, 0, len(t.Sections))
	for _, s := range t.Sections {
		md := sections[s.Key]
		out = append(out, RenderedSection{Key: s.Key, Title: s.TitleIn(lang), Help: s.HelpIn(lang), Required: s.Required,
			TBD: IsTBD(md), Markdown: md, HTML: RenderMarkdown(md)})
	}
	return out
}

// ExportHTML writes the report as a standalone HTML file: styles inside,
// no scripts, nothing loaded from elsewhere.
func (t Template) ExportHTML(h Header, sections map[string]string, lang string) []byte {
	var buf bytes.Buffer
	err := standalone.Execute(&buf, map[string]any{"H": h, "Lang": lang, "Sections": t.Render(sections, lang)})
	if err != nil {
		panic(err) // the template is fixed and its data well-typed
	}
	return buf.Bytes()
}

// HeaderOf describes an incident for an export.
func HeaderOf(inc *incident.Incident, revision int) Header {
	return Header{Ref: inc.Ref(), Title: inc.Title, Grade: inc.Grade.String(), Status: string(inc.Status), Revision: revision}
}

// Meta is the export's line under the title, in lang: grade, status and
// revision, "SEV2 · 해결됨 · 개정 3".
func (h Header) Meta(lang string) string {
	tr := phrases[lang]
	if tr == nil {
		tr = phrases["en"]
	}
	status := h.Status
	if w, ok := tr["status."+h.Status]; ok {
		status = w
	}
	return fmt.Sprintf("%s · %s · "+tr["rev"], h.Grade, status, h.Revision)
}

// Imported is a Markdown document split into the template's sections.
type Imported struct {
	Sections map[string]string `json:"sections"`
	// Unmatched lists headings that named no section; their text went to
	// the last optional section, under its heading.
	Unmatched []string `json:"unmatched"`
}

// Import splits a Markdown report into sections by its level-2 headings,
// matching each heading to a section's key or its title in any language.
// Text before the first heading (a title, a line of metadata) is dropped
// unless the document has no headings at all, when it all becomes the
// first section.
func (t Template) Import(md string) Imported {
	out := Imported{Sections: map[string]string{}}
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	byHeading := map[string]string{}
	for _, s := range t.Sections {
		byHeading[strings.ToLower(s.Key)] = s.Key
		for _, title := range s.Title {
			byHeading[strings.ToLower(strings.TrimSpace(title))] = s.Key
		}
	}
	spill := t.spillKey()
	current, currentHeading := "", ""
	var buf []string
	sawHeading, inFence := false, false
	flush := func() {
		text := strings.TrimSpace(strings.Join(buf, "\n"))
		buf = nil
		switch {
		case current != "":
			out.Sections[current] = joinText(out.Sections[current], text)
		case currentHeading != "" && spill != "":
			out.Sections[spill] = joinText(out.Sections[spill], "### "+currentHeading+"\n\n"+text)
		}
	}
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
		heading, isHeading := strings.CutPrefix(line, "## ")
		if !isHeading || inFence {
			buf = append(buf, line)
			continue
		}
		flush()
		sawHeading = true
		heading = strings.TrimSpace(heading)
		current, currentHeading = byHeading[strings.ToLower(heading)], heading
		if current == "" {
			out.Unmatched = append(out.Unmatched, heading)
		}
	}
	if !sawHeading {
		if len(t.Sections) > 0 {
			out.Sections[t.Sections[0].Key] = strings.TrimSpace(md)
		}
		return out
	}
	flush()
	for _, s := range t.Sections {
		if _, ok := out.Sections[s.Key]; !ok {
			out.Sections[s.Key] = TBD
		}
	}
	return out
}

// spillKey is where text under an unknown heading goes: the last optional
// section, or the last section.
func (t Template) spillKey() string {
	for i := len(t.Sections) - 1; i >= 0; i-- {
		if !t.Sections[i].Required {
			return t.Sections[i].Key
		}
	}
	if len(t.Sections) > 0 {
		return t.Sections[len(t.Sections)-1].Key
	}
	return ""
}

func joinText(a, b string) string {
	if a == "" || IsTBD(a) {
		return b
	}
	if b == "" {
		return a
	}
	return a + "\n\n" + b
}
