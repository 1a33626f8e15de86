package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// InsertMessages stores a declaration's messages in chunks of one statement:
// every new key is stored once, in the order given, with its id; a key
// stored before, or twice in one call, is skipped; and each message reads
// back as written.
func TestInsertMessagesInChunks(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		at := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
		msg := func(key string) notify.Message {
			return notify.Message{Key: key, Channel: notify.Email, Target: "team " + key, To: key + "@example.com",
				Lang: "ko", Subject: "장애 " + key, Text: "본문 " + key, Payload: []byte(`{"k":"` + key + `"}`),
				Status: notify.Pending, CreatedAt: at}
		}
		insert := func(msgs []notify.Message) (added []notify.Message) {
			t.Helper()
			if err := ob.InTx(ctx, func(tx *sql.Tx) (err error) {
				added, err = ob.InsertMessages(ctx, tx, msgs)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return added
		}
		if got := insert([]notify.Message{msg("before")}); len(got) != 1 {
			t.Fatalf("first insert added %d, want 1", len(got))
		}
		// 450 new messages span three chunks; one key was stored before and
		// one comes twice.
		var msgs []notify.Message
		for i := range 450 {
			msgs = append(msgs, msg(fmt.Sprintf("m%03d", i)))
			if i == 100 {
				msgs = append(msgs, msg("before"), msg("m050"))
			}
		}
		added := insert(msgs)
		if len(added) != 450 {
			t.Fatalf("added %d messages, want the 450 new ones", len(added))
		}
		seen := map[int64]bool{}
		for i, m := range added {
			if want := fmt.Sprintf("m%03d", i); m.Key != want {
				t.Fatalf("added[%d] is %s, want %s (the order given)", i, m.Key, want)
			}
			if m.ID == 0 || seen[m.ID] {
				t.Fatalf("added[%d] has id %d (zero or repeated)", i, m.ID)
			}
			seen[m.ID] = true
		}
		for _, i := range []int{0, 199, 200, 449} {
			got, err := ob.Message(ctx, added[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			want := msg(added[i].Key)
			if got.Key != want.Key || got.To != want.To || got.Subject != want.Subject || got.Text != want.Text ||
				string(got.Payload) != string(want.Payload) || got.Status != notify.Pending || !got.CreatedAt.Equal(at) {
				t.Errorf("message %d reads back as %+v, want %+v", added[i].ID, got, want)
			}
		}
		if again := insert(msgs); len(again) != 0 {
			t.Errorf("storing the same messages again added %d", len(again))
		}
		counts, err := ob.CountByStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[notify.Pending] != 451 {
			t.Errorf("%d messages stored, want 451", counts[notify.Pending])
		}
	})
}
