package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// FlagLeftArgs asks for a look for kill switches left flipped after their
// incident was closed, and a reminder to each one's owning team.
type FlagLeftArgs struct{}

// Kind names the job in the queue.
func (FlagLeftArgs) Kind() string { return "flag.left_flipped" }

// InsertOpts keeps at most one pending run.
func (FlagLeftArgs) InsertOpts() river.InsertOpts { return singleton() }

// FlagLeftEvery is how often the left-flipped check runs. The reminder
// itself goes at most once a day per switch (its outbox key names the
// day), so the check may run often and a replica's restart sends nothing
// twice.
const FlagLeftEvery = time.Hour

// FlagLeftWorker reminds the owning teams of switches left flipped, by
// e-mail through the outbox.
type FlagLeftWorker struct {
	river.WorkerDefaults[FlagLeftArgs]
	Flags interface {
		LeftFlipped(ctx context.Context) ([]flag.Switch, error)
	}
	// TeamOf returns the team owning a service.
	TeamOf func(service string) (catalog.Team, bool)
	Outbox *notify.Outbox
	// InTx runs fn in a database transaction (the outbox stores in one).
	InTx    func(ctx context.Context, fn func(*sql.Tx) error) error
	BaseURL string
	Now     func() time.Time
	Log     *slog.Logger
}

// Work runs one check.
func (w *FlagLeftWorker) Work(ctx context.Context, _ *river.Job[FlagLeftArgs]) error {
	_, err := w.Remind(ctx, w.Now())
	return err
}

// FlagLeftKey identifies the reminder of one switch on one day (UTC).
func FlagLeftKey(key string, now time.Time) string {
	return "flag-left:" + key + ":" + now.UTC().Format("2006-01-02")
}

// Remind stores a reminder for each switch left flipped whose team has an
// e-mail address and was not reminded of it today; it returns how many
// were stored.
func (w *FlagLeftWorker) Remind(ctx context.Context, now time.Time) (int, error) {
	left, err := w.Flags.LeftFlipped(ctx)
	if err != nil {
		return 0, fmt.Errorf("switches left flipped: %w", err)
	}
	sent := 0
	for _, sw := range left {
		team, ok := w.TeamOf(sw.Service)
		if !ok || team.Email == "" {
			// Still listed on the /flags page; nobody to mail.
			if w.Log != nil {
				w.Log.WarnContext(ctx, "switch left flipped, but its team has no e-mail address", "switch", sw.Key, "service", sw.Service)
			}
			continue
		}
		subject, text := FlagLeftMail(sw, w.BaseURL)
		msg := notify.Message{
			Key:     FlagLeftKey(sw.Key, now),
			Channel: notify.Email,
			Target:  "team " + team.Name,
			To:      team.Email,
			Subject: subject,
			Text:    text,
		}
		if id, ok := incident.ParseRef(sw.Incident); ok {
			msg.Thread = notify.IncidentThread(id) // with the incident's other mail
		}
		err := w.InTx(ctx, func(tx *sql.Tx) error {
			stored, err := w.Outbox.StoreMessages(ctx, tx, []notify.Message{msg})
			sent += len(stored)
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("remind of switch %s: %w", sw.Key, err)
		}
	}
	return sent, nil
}

// FlagLeftMail writes the reminder of a switch left flipped, in Korean and
// English both (teams have no language of their own).
func FlagLeftMail(sw flag.Switch, baseURL string) (subject, text string) {
	subject = fmt.Sprintf("[%s] 킬 스위치 %s 가 아직 전환된 상태입니다 · Kill switch %s is still flipped", sw.Incident, sw.Key, sw.Key)
	var b strings.Builder
	fmt.Fprintf(&b, "킬 스위치 %s (%s) 는 %s 장애 중 %s(으)로 전환되었고, 장애가 종료된 지금도 그대로입니다.\n", sw.Key, sw.Service, sw.Incident, sw.State)
	fmt.Fprintf(&b, "Kill switch %s (%s) was flipped to %s during %s, and is still flipped now that the incident is closed.\n\n", sw.Key, sw.Service, sw.State, sw.Incident)
	fmt.Fprintf(&b, "마지막 전환 · Last flipped: %s, %s\n\n", sw.UpdatedBy, sw.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString("원래대로 되돌리거나, 새 상태를 스위치 정의에 반영하세요.\n")
	b.WriteString("Flip it back, or make its new state the switch's definition.\n\n")
	if baseURL != "" {
		fmt.Fprintf(&b, "  %s/flags/%s\n", strings.TrimSuffix(baseURL, "/"), sw.Key)
	}
	fmt.Fprintf(&b, "  firebreak flag flip %s --to default --reason \"…\"\n\n", sw.Key)
	b.WriteString("Firebreak이 하루에 한 번 보내는 알림입니다. · Sent by Firebreak at most once a day.\n")
	return subject, b.String()
}
