package report

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown turns GitHub-flavoured Markdown (tables, task lists, links
// written bare) into HTML. Raw HTML in the source is left out by goldmark
// itself; the sanitiser below is the second wall.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// sanitiser keeps what user-written documents need (links, lists, tables,
// code) and drops scripts, styles, event handlers and links other than
// http(s) and mailto, so a report is safe to show to every reader.
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AllowAttrs("type", "checked", "disabled").OnElements("input") // task lists
	return p
}()

// RenderMarkdown returns the sanitised HTML of Markdown text.
func RenderMarkdown(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		// goldmark fails only on writer errors; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(sanitiser.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised just now
}
