package report

import "strings"

// DiffOp says what a diff line does.
type DiffOp string

// The diff operations.
const (
	Same    DiffOp = " "
	Added   DiffOp = "+"
	Removed DiffOp = "-"
)

// DiffLine is one line of a diff.
type DiffLine struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// SectionDiff is how one section changed between two revisions.
type SectionDiff struct {
	Key   string     `json:"key"`
	Title string     `json:"title"`
	Lines []DiffLine `json:"lines"`
}

// maxDiffLines bounds the table the line diff builds (n×m); longer sections
// are shown as all removed and all added.
const maxDiffLines = 3000

// DiffLines compares two texts line by line (longest common subsequence).
func DiffLines(a, b string) []DiffLine {
	al, bl := splitLines(a), splitLines(b)
	if len(al) > maxDiffLines || len(bl) > maxDiffLines {
		var out []DiffLine
		for _, l := range al {
			out = append(out, DiffLine{Removed, l})
		}
		for _, l := range bl {
			out = append(out, DiffLine{Added, l})
		}
		return out
	}
	n, m := len(al), len(bl)
	// lcs[i][j] is the common length of al[i:] and bl[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case al[i] == bl[j]:
			out = append(out, DiffLine{Same, al[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{Removed, al[i]})
			i++
		default:
			out = append(out, DiffLine{Added, bl[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{Removed, al[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{Added, bl[j]})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Diff returns the sections that differ between two revisions' texts, in
// template order, titled in lang.
func (t Template) Diff(from, to map[string]string, lang string) []SectionDiff {
	var out []SectionDiff
	for _, s := range t.Sections {
		if from[s.Key] == to[s.Key] {
			continue
		}
		out = append(out, SectionDiff{Key: s.Key, Title: s.TitleIn(lang), Lines: DiffLines(from[s.Key], to[s.Key])})
	}
	return out
}
