package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// ReminderMail writes the e-mail that reminds someone of a missed status
// update. It is in Korean and English both: users have no language of their
// own yet. baseURL (may be empty) makes the incident's link absolute.
func ReminderMail(r Reminder, baseURL string) (subject, text string) {
	inc := r.Incident
	every := incident.FormatInterval(r.Every)
	subject = fmt.Sprintf("[%s] 상태 업데이트 시간이 지났습니다 · Status update overdue (%s, every %s)", inc.Ref(), inc.Grade, every)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s, %s)\n\n", inc.Ref(), inc.Title, inc.Grade, inc.Status)
	fmt.Fprintf(&b, "%s 등급은 %s마다 상태 업데이트를 보내야 합니다. 전파 대상에게 지금 상황을 알려 주세요.\n", inc.Grade, every)
	fmt.Fprintf(&b, "A %s incident needs a status update every %s. Please tell everyone what is going on.\n\n", inc.Grade, every)
	if last, ok := r.Event.Data["last_update"].(time.Time); ok {
		fmt.Fprintf(&b, "마지막 업데이트 · Last update: %s\n\n", last.UTC().Format("2006-01-02 15:04 UTC"))
	}
	fmt.Fprintf(&b, "업데이트 게시 · Post an update:\n")
	fmt.Fprintf(&b, "  %s/incidents/%s\n", strings.TrimSuffix(baseURL, "/"), inc.Ref())
	fmt.Fprintf(&b, "  firebreak incident update %s --text \"…\"\n", inc.Ref())
	fmt.Fprintf(&b, "  /incident update %s <text>\n\n", inc.Ref())
	b.WriteString("Firebreak이 보낸 알림입니다. 업데이트를 게시하면 다음 알림까지의 시간이 다시 시작됩니다.\n")
	b.WriteString("Sent by Firebreak. Posting an update restarts the clock.\n")
	return subject, b.String()
}

// ReminderKey identifies a reminder's message, so that a check that runs
// twice stores it once.
func ReminderKey(r Reminder) string {
	return fmt.Sprintf("update-reminder:%d:%d", r.Incident.ID, r.Event.ID)
}

// OutboxReminders sends reminders by e-mail through the outbox: stored in
// the transaction that records the missed update, delivered by its job.
type OutboxReminders struct {
	Outbox  *notify.Outbox
	BaseURL string // where Firebreak is reached, for the link in the mail
}

// Remind stores the reminder's e-mail, when the person has an address.
func (o OutboxReminders) Remind(ctx context.Context, tx *sql.Tx, r Reminder) error {
	if r.To.Email == "" {
		return nil // the timeline entry says so
	}
	subject, text := ReminderMail(r, o.BaseURL)
	return o.Outbox.Store(ctx, tx, notify.Message{
		Key: ReminderKey(r), IncidentID: r.Incident.ID, EventID: r.Event.ID,
		Channel: notify.Email, Target: "reminder to " + r.To.Name, To: r.To.Email,
		Thread: notify.IncidentThread(r.Incident.ID), Subject: subject, Text: text,
	})
}
