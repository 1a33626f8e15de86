package maintenance

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkCacheSuppressedMiss is the check routing makes for every new
// signal, in its most expensive case: no window or silence matches, so
// every active entry is tried. 20 windows on other services (half with a
// matcher) and 20 silences with a regular expression each.
func BenchmarkCacheSuppressedMiss(b *testing.B) {
	now := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	st := &memStore{}
	for i := range 20 {
		w := Window{ID: int64(i + 1), Title: "w", Services: []string{fmt.Sprintf("svc-%d", i)},
			StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}
		if i%2 == 0 {
			w.Matchers = []Matcher{{Name: "env", Op: Equal, Value: "prod"}}
		}
		st.ws = append(st.ws, w)
		st.ss = append(st.ss, Silence{ID: int64(i + 1), Matchers: []Matcher{{Name: "alertname", Op: Equal, Value: "Quiet"},
			{Name: "instance", Op: Regexp, Value: fmt.Sprintf("build-%d.*", i)}}, StartsAt: now, EndsAt: now.Add(time.Hour)})
	}
	c := &Cache{Store: st, Now: func() time.Time { return now }}
	if err := c.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	labels := map[string]string{"alertname": "HighLatency", "instance": "host-17:9100", "service": "checkout-api", "env": "prod"}
	b.ResetTimer()
	for range b.N {
		if _, _, ok := c.Suppressed("checkout-api", labels, now); ok {
			b.Fatal("suppressed")
		}
	}
}
