package cli

import "testing"

func TestServeGCSettingsYieldToTheOperator(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	if p, l, ok := gcSettings(env(nil)); !ok || p != 400 || l != 512<<20 {
		t.Errorf("default: %d %d %v, want 400, 512 MiB", p, l, ok)
	}
	for _, vars := range []map[string]string{{"GOGC": "100"}, {"GOGC": "off"}, {"GOMEMLIMIT": "2GiB"}} {
		if _, _, ok := gcSettings(env(vars)); ok {
			t.Errorf("%v: serve overrode the operator's setting", vars)
		}
	}
}
