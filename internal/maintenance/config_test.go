package maintenance

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	good := `
maintenance:
  - title: 결제 DB 업그레이드
    reason: PostgreSQL 17
    services: [payments-db]
    starts_at: 2026-12-05T22:00:00+09:00
    ends_at: 2026-12-06T00:00:00+09:00
    public: true
  - title: Weekly patching
    matchers: ['env="staging"', 'job=~"node.*"']
    recurrence: {weekdays: [tue, thu], at: "02:00", duration: 2h, zone: Asia/Seoul}
`
	exists := func(s string) bool { return s == "payments-db" }
	ws, err := ParseConfig("firebreak.yaml", []byte(good), exists)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || !ws[0].Public || ws[0].EndsAt.Sub(ws[0].StartsAt).Hours() != 2 || len(ws[1].Matchers) != 2 ||
		ws[1].Recurrence.Zone != "Asia/Seoul" {
		t.Fatalf("parsed %+v", ws)
	}
	bad := `
maintenance:
  - title: x
    services: [nope]
    starts_at: 2026-12-05T22:00:00+09:00
    ends_at: 2026-12-06T00:00:00+09:00
  - title: y
    matchers: ['env="prod"']
    recurrence: {weekdays: [tue], at: "2am", duration: 2h}
  - title: z
    matchers: ['env=~"("']
    starts_at: tonight
`
	_, err = ParseConfig("firebreak.yaml", []byte(bad), exists)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"firebreak.yaml:4", "maintenance[0].services", `no service "nope"`,
		"firebreak.yaml:9", "maintenance[1].recurrence.at", "maintenance[2].matchers[0]", "maintenance[2].starts_at"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
