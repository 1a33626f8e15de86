package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigReportSection: the report section is read with the others,
// and its errors come out with theirs, in file order.
func TestCheckConfigReportSection(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\nreport:\n  sections:\n    - key: summary\n      title: {en: Summary, ko: 요약}\n"), 0o644)
	os.WriteFile(bad, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: opz\nreport:\n  remind_every: soon\n  sections:\n    - key: Summary\n"), 0o644)
	if out := mustRun(t, nil, "check-config", good); !strings.Contains(out, "1 report sections") {
		t.Fatalf("good config: %s", out)
	}
	out, err := run(t, nil, "check-config", bad)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	want := []string{bad + ":5:11: services[0].team: unknown team", bad + ":7:17: report.remind_every: must be a duration",
		bad + ":9:12: report.sections[0].key: must be lower-case"}
	last := -1
	for _, w := range want {
		i := strings.Index(out, w)
		if i < 0 {
			t.Errorf("check-config output lacks %q:\n%s", w, out)
		}
		if i < last {
			t.Errorf("%q is out of file order:\n%s", w, out)
		}
		last = i
	}
}
