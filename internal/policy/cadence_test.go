package policy

import (
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

func TestUpdateEvery(t *testing.T) {
	pol, err := ParseConfig("firebreak.yaml", []byte("policy:\n  grades:\n    SEV1:\n      update_every: 10m\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.UpdateEvery(incident.SEV1); got != 10*time.Minute {
		t.Errorf("SEV1: %s, want the policy's 10m", got)
	}
	if got := pol.UpdateEvery(incident.SEV4); got != 4*time.Hour {
		t.Errorf("SEV4: %s, want the default 4h", got)
	}
	var none *Policy
	if got := none.UpdateEvery(incident.SEV2); got != 30*time.Minute {
		t.Errorf("no policy: %s", got)
	}
}
