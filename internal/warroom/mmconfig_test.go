package warroom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMattermostConfig(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "mm-token")
	if err := os.WriteFile(tokenFile, []byte("bot-token-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FB_MM_COMMAND", "command-token-from-env")
	c, err := ParseConfig(filepath.Join(dir, "f.yaml"), []byte(`
war_room:
  provider: mattermost
  mattermost:
    url: https://chat.example.com/
    team_id: abcdefghijklmnopqrstuvwxyz
    token_file: mm-token
    command_token_env: FB_MM_COMMAND
    users: {alice: alice000000000000000000000}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mattermost
	if c.Provider != Mattermost || m == nil || m.URL != "https://chat.example.com" || m.TeamID != "abcdefghijklmnopqrstuvwxyz" ||
		m.Token != "bot-token-from-file" || m.CommandToken != "command-token-from-env" || m.Users["alice"] != "alice000000000000000000000" {
		t.Fatalf("config %+v %+v", c, m)
	}
	if n, ok := m.MattermostUser("alice000000000000000000000"); !ok || n != "alice" {
		t.Errorf("user %q %v", n, ok)
	}
	if c, err := ParseConfig("f.yaml", []byte("war_room: {grades: [SEV1]}\n"), nil); err != nil || c.Provider != Slack {
		t.Errorf("default provider: %+v %v", c, err)
	}
	_, err = ParseConfig("f.yaml", []byte(`
war_room:
  provider: teams
  mattermost:
    url: chat.example.com
    team_id: Team
    token: a
    token_env: B
    users: {bob: U024BE7LH}
    colour: red
`), nil)
	for _, want := range []string{"war_room.provider", "war_room.mattermost.url", "war_room.mattermost.team_id", "war_room.mattermost.users.bob",
		"give one of token, token_env and token_file", "colour"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	if _, err := ParseConfig("f.yaml", []byte("war_room:\n  provider: mattermost\n"), nil); err == nil || !strings.Contains(err.Error(), "war_room.mattermost") {
		t.Errorf("provider without its section: %v", err)
	}
	if _, err := ParseConfig("f.yaml", []byte("war_room:\n  mattermost: {url: https://x.example}\n"), nil); err == nil ||
		!strings.Contains(err.Error(), "war_room.mattermost.token") || !strings.Contains(err.Error(), "war_room.mattermost.team_id") {
		t.Errorf("missing token and team: %v", err)
	}
}

func TestMattermostText(t *testing.T) {
	text, links := mmPlain("see [deploy 42](https://d.example/42) and https://grafana.example/x.")
	if text != "see deploy 42 (https://d.example/42) and https://grafana.example/x." || len(links) != 2 || links[1] != "https://grafana.example/x" {
		t.Errorf("%q %v", text, links)
	}
	if got := slackToMarkdown("*Status changed · 상태 변경* — a&amp;b\n> x &lt;y&gt;"); got != "**Status changed · 상태 변경** — a&b\n> x <y>" {
		t.Errorf("%q", got)
	}
	if got := mdEscape("a|b *c*"); got != `a\|b \*c\*` {
		t.Errorf("%q", got)
	}
}
