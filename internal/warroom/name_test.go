package warroom

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

func TestChannelName(t *testing.T) {
	for _, c := range []struct {
		pattern, title string
		services       []string
		want           string
	}{
		{"inc-{number}-{slug}", "Checkout slow", []string{"checkout-api"}, "inc-42-checkout-slow"},
		{"inc-{number}-{slug}", "결제 지연 Checkout SLOW!", []string{"checkout-api"}, "inc-42-checkout-slow"},
		// A Korean title has no slug: the service stands in.
		{"inc-{number}-{slug}", "카드 결제 실패", []string{"checkout-api"}, "inc-42-checkout-api"},
		{"inc-{number}-{slug}", "카드 결제 실패", nil, "inc-42"},
		{"{grade}_{number}-{service}", "x", []string{"Ledger"}, "sev2_42-ledger"},
		{"INC {number} {slug}", "a  b", nil, "inc-42-a-b"},
		{"inc-{number}-{slug}", strings.Repeat("very long title ", 20), nil, ""},
	} {
		inc := &incident.Incident{ID: 42, Title: c.title, Grade: incident.SEV2, Services: c.services}
		got := ChannelName(c.pattern, inc)
		if len(got) > 80 || strings.ContainsAny(got, " ABCDEFGHIJKLMNOPQRSTUVWXYZ") || strings.HasSuffix(got, "-") {
			t.Errorf("%q: %q breaks Slack's rules", c.title, got)
		}
		if c.want != "" && got != c.want {
			t.Errorf("ChannelName(%q, %q) = %q, want %q", c.pattern, c.title, got, c.want)
		}
	}
}

// TestPeople: the roles and the owning teams' people on duty (the lead when
// the config names none); a restricted incident's room holds its members
// only.
func TestPeople(t *testing.T) {
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.OnDuty = map[string][]string{"platform": {"erin", "dave"}}
	r := &Rooms{Config: cfg, Catalog: cat}
	inc := &incident.Incident{Services: []string{"checkout-api", "auth"}, Visibility: incident.Internal,
		Roles: map[incident.Role]string{incident.Resolver: "alice", incident.Communicator: "bob"}}
	if got, want := strings.Join(r.People(inc), ","), "alice,bob,minji.kim,erin,dave"; got != want {
		t.Errorf("people %s, want %s", got, want)
	}
	inc.Visibility, inc.Members = incident.Restricted, []string{"alice", "dave", "zoe"}
	if got, want := strings.Join(r.People(inc), ","), "alice,dave,zoe"; got != want {
		t.Errorf("restricted people %s, want %s", got, want)
	}
}

func TestParseConfig(t *testing.T) {
	teams := func(n string) bool { return n == "payments" }
	c, err := ParseConfig("f.yaml", []byte(`
war_room:
  grades: [SEV1, sev2]
  name_pattern: "war-{number}"
  archive_after: 48h
  pin_emoji: ":round_pushpin:"
  slack_users: {alice: U024BE7LH}
  on_duty: {payments: [alice]}
`), teams)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Grades) != 2 || c.Opens(incident.SEV3) || c.NamePattern != "war-{number}" || c.ArchiveAfter.Hours() != 48 ||
		c.PinEmoji != "round_pushpin" || c.SlackUsers["alice"] != "U024BE7LH" || c.OnDuty["payments"][0] != "alice" {
		t.Errorf("config %+v", c)
	}
	if c, err := ParseConfig("f.yaml", []byte("intake: {}\n"), teams); err != nil || c != nil {
		t.Errorf("no section: %v %v", c, err)
	}
	_, err = ParseConfig("f.yaml", []byte(`
war_room:
  grades: [SEV9]
  name_pattern: "inc-{slug}"
  archive_after: soon
  slack_users: {alice: alice}
  on_duty: {nope: [alice]}
  colour: red
`), teams)
	for _, want := range []string{"war_room.grades", "war_room.name_pattern", "war_room.archive_after", "war_room.slack_users.alice",
		"war_room.on_duty.nope", "colour"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
