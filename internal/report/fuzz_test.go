package report

import (
	"strings"
	"testing"
)

// FuzzImport: any Markdown imports without a panic, into sections the
// template knows only, losing no heading it could not place.
func FuzzImport(f *testing.F) {
	f.Add("# INC-7 결제 지연\n\n## Summary\n\n카드 승인이 느렸습니다.\n\n## 원인\n\nledger 배포\n\n## Unknown heading\n\ntext\n")
	f.Add("no headings at all\r\njust text")
	f.Add("## \n##\n### sub\n## summary\n```\n## not a heading\n```\n")
	tmpl := DefaultTemplate()
	f.Fuzz(func(t *testing.T, md string) {
		got := tmpl.Import(md)
		for key := range got.Sections {
			if _, ok := tmpl.Section(key); !ok {
				t.Fatalf("imported into unknown section %q", key)
			}
		}
		for _, h := range got.Unmatched {
			if strings.Contains(h, "\n") {
				t.Fatalf("an unmatched heading spans lines: %q", h)
			}
		}
	})
}
