package propagate_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestLineWorksDepartment: a department told through LINE WORKS gets the
// chat message, in Korean, in its chat room when an incident is declared.
func TestLineWorksDepartment(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		lw := testutil.StartLineWorks(t, "client-1", "secret-1", "sa1.serviceaccount@example.com", "2000001", &key.PublicKey, "room-cs")
		cat, pol := parseConfig(t, []byte(`
teams:
  - name: pay
services:
  - name: payments
    team: pay
policy:
  departments:
    - name: cs
      from_grade: SEV3
      lineworks: cs-room
      lang: ko
`))
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol,
			Notify: &notify.Config{LineWorks: &notify.LineWorksConfig{
				ClientID: "client-1", ClientSecret: "secret-1", ServiceAccount: "sa1.serviceaccount@example.com", PrivateKey: key,
				BotID: "2000001", AuthURL: lw.AuthURL, APIURL: lw.APIURL,
				Targets: []notify.LineWorksTarget{{Name: "cs-room", ChannelID: "room-cs"}},
			}},
			Jobs: jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}, MaxAttempts: 5},
		})
		inc, err := run.Server.Incidents.Declare(t.Context(), auth.User{Name: "alice", Role: auth.Responder},
			incident.Declaration{Title: "카드 결제 실패", Grade: incident.SEV3, Services: []string{"payments"}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the delivery", func() bool { return count(t, run.Server, inc.ID, notify.EventDelivered) == 1 })
		msgs := lw.Messages()
		if len(msgs) != 1 || msgs[0].Channel != "room-cs" || !strings.Contains(msgs[0].Text, "SEV3 장애 "+inc.Ref()+" 선언: 카드 결제 실패") ||
			strings.Contains(msgs[0].Text, "*") {
			t.Errorf("LINE WORKS got %+v", msgs)
		}
	})
}
