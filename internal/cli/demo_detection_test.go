package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// checkDemoDetection: every live demo incident says how it was found
// (#16), with a detection time after its start and not ahead of now, and
// the seeded year spreads over more than one way.
func checkDemoDetection(t *testing.T, base, token string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/incidents?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var page struct {
		Items []struct {
			ID         string    `json:"id"`
			Title      string    `json:"title"`
			Status     string    `json:"status"`
			Detection  string    `json:"detection"`
			StartedAt  time.Time `json:"started_at"`
			DetectedAt time.Time `json:"detected_at"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil || len(page.Items) == 0 {
		t.Fatalf("demo incidents: %v %s", err, raw)
	}
	ways := map[string]int{}
	for _, inc := range page.Items {
		ways[inc.Detection]++
		if inc.Detection == "" {
			t.Errorf("%s %q does not say how it was found", inc.ID, inc.Title)
		}
		if inc.DetectedAt.Before(inc.StartedAt) || inc.DetectedAt.After(time.Now().Add(time.Minute)) {
			t.Errorf("%s %q detected at %s, started %s", inc.ID, inc.Title, inc.DetectedAt, inc.StartedAt)
		}
	}
	if len(ways) < 4 {
		t.Errorf("the demo's incidents were found only in these ways: %v", ways)
	}
}
