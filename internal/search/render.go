package search

import (
	"sort"
	"strconv"
	"strings"
)

// FTS5 writes q as an SQLite FTS5 MATCH expression over token columns.
func (q Query) FTS5() string { return q.render(fts5Syntax) }

// TSQuery writes q as a PostgreSQL tsquery literal. Lexemes are quoted, so
// the database's own text parser (and its locale) never sees them.
func (q Query) TSQuery() string { return q.render(tsquerySyntax) }

// querySyntax is how one database writes a full-text query: the quote
// around a token, the mark of a prefix, and the operators.
type querySyntax struct{ quote, prefix, and, or string }

var (
	fts5Syntax    = querySyntax{quote: `"`, prefix: "*", and: " AND ", or: " OR "}
	tsquerySyntax = querySyntax{quote: "'", prefix: ":*", and: " & ", or: " | "}
)

func (q Query) render(syn querySyntax) string {
	var terms []string
	for _, t := range q.Terms {
		var alts []string
		for _, p := range t.Alts {
			toks := make([]string, len(p.Tokens))
			for i, tok := range p.Tokens {
				toks[i] = syn.quote + tok + syn.quote
			}
			if p.Prefix {
				toks[len(toks)-1] += syn.prefix
			}
			s := strings.Join(toks, syn.and)
			if len(toks) > 1 {
				s = "(" + s + ")"
			}
			alts = append(alts, s)
		}
		terms = append(terms, "("+strings.Join(alts, syn.or)+")")
	}
	return strings.Join(terms, q.joiner(syn.and, syn.or))
}

func (q Query) joiner(all, any string) string {
	if q.Any {
		return any
	}
	return all
}

// Doc is the text of one indexed document, by column: Title weighs most,
// Meta (services, cause tags) next, Body least.
type Doc struct {
	Title, Meta, Body string
}

// maxTokens bounds one document's tokens (PostgreSQL limits a tsvector to
// 1 MB); what lies past it is not searchable.
const maxTokens = 50000

// Columns returns the token text of each column, for FTS5.
func (d Doc) Columns() (title, meta, body string) {
	return Join(capTokens(Tokens(d.Title))), Join(capTokens(Tokens(d.Meta))), Join(capTokens(Tokens(d.Body)))
}

func capTokens(ts []string) []string {
	if len(ts) > maxTokens {
		return ts[:maxTokens]
	}
	return ts
}

// TSVector writes the document as a PostgreSQL tsvector literal, with
// positions (phrases need them) and weights A, B and D by column.
func (d Doc) TSVector() string {
	type at struct {
		pos    int
		weight byte
	}
	lex := map[string][]at{}
	pos := 0
	for _, col := range []struct {
		text   string
		weight byte
	}{{d.Title, 'A'}, {d.Meta, 'B'}, {d.Body, 'D'}} {
		for _, tok := range capTokens(Tokens(col.text)) {
			pos++
			// PostgreSQL keeps 256 positions a lexeme, up to 16383; past
			// that the lexeme still counts, without a position.
			ats, seen := lex[tok]
			if len(ats) < 256 && pos <= 16383 {
				lex[tok] = append(ats, at{pos, col.weight})
			} else if !seen {
				lex[tok] = nil
			}
		}
		pos++ // no phrase across columns
	}
	keys := make([]string, 0, len(lex))
	for k := range lex {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + k + "'")
		for j, a := range lex[k] {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(a.pos))
			if a.weight != 'D' {
				b.WriteByte(a.weight)
			}
		}
	}
	return b.String()
}
