package catalog

import (
	"testing"
)

// FuzzParse: the config file is read by YAML and checked; no input may
// panic, and a catalog it accepts is consistent: every service's team exists.
func FuzzParse(f *testing.F) {
	f.Add(DemoYAML)
	f.Add([]byte("teams:\n  - name: payments\n    lead: minji.kim\n    members: [minji.kim]\nservices:\n  - name: checkout-api\n    team: payments\n    depends_on: [ledger]\n  - name: ledger\n    team: payments\n"))
	f.Add([]byte("teams: [{name: a}]\nservices: [{name: s, team: a, tier: 9, depends_on: [s]}]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, s := range c.Services() {
			if s.Team != "" {
				if _, ok := c.Team(s.Team); !ok {
					t.Fatalf("service %q names team %q, which the catalog lacks", s.Name, s.Team)
				}
			}
		}
	})
}
