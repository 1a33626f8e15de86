package cli

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/server"
)

// TestDemoConfigKeepsEverySection: `serve --demo` hands the server the
// demo catalog's policy (departments, partners, Korean templates, the
// organisation's time zone) and playbooks, not only its teams and services.
func TestDemoConfigKeepsEverySection(t *testing.T) {
	cfg, err := loadDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	var o server.Options
	cfg.apply(&o)
	if got := len(o.Catalog.Services()); got != 7 {
		t.Errorf("services: %d, want 7", got)
	}
	if o.Policy == nil || len(o.Policy.Departments) != 2 || len(o.Policy.Partners) != 1 {
		t.Fatalf("policy not loaded: %+v", o.Policy)
	}
	if o.Policy.Language != "ko" || o.Policy.Zone.String() != "Asia/Seoul" {
		t.Errorf("policy language %q, zone %s; want ko, Asia/Seoul", o.Policy.Language, o.Policy.Zone)
	}
	if n, _ := o.Playbooks.Count(); n == 0 {
		t.Error("the demo's playbooks were dropped")
	}
	if len(o.Flags) == 0 {
		t.Error("the demo's kill switches were dropped")
	}
}
