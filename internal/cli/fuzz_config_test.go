package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// FuzzLoadConfig: the whole config file, every section, is read as serve
// and check-config read it. No input may panic; a file that loads holds no
// text the text rules refuse.
func FuzzLoadConfig(f *testing.F) {
	// Small seeds, one a section, rather than the 8 KiB demo file: a
	// mutated demo is almost always a syntax error, and placing one costs a
	// parse per line, so the fuzzer would spend its time there.
	f.Add(demoSeed(102, 120))
	f.Add(demoSeed(136, 150))
	f.Add(demoSeed(192, 205))
	f.Add([]byte("teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n" +
		"policy:\n  language: ko\n  time_zone: Asia/Seoul\n" +
		"intake:\n  alertmanager:\n    token: t\n  routes:\n    - match: {service: checkout-api}\n      grade: SEV2\n"))
	f.Add([]byte("teams: [{name: \"a\\0\"}]\nservices: []\n"))
	f.Add([]byte("flags:\n  - key: k\n    title: \"\\u202Ex\"\n    services: [s]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadConfig(path); err != nil {
			return
		}
		if err := confyaml.CheckTextFile(path); err != nil {
			t.Fatalf("a loaded config breaks the text rules: %v", err)
		}
	})
}

// demoSeed is lines from..to of the demo config (counting from 1) after its
// first two teams and services, so that the section's names resolve.
func demoSeed(from, to int) []byte {
	lines := strings.Split(string(catalog.DemoYAML), "\n")
	head := "teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n"
	return []byte(head + strings.Join(lines[from-1:to], "\n") + "\n")
}
