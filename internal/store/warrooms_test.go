package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestWarRooms: a room is saved once per incident (a second save returns
// the first), its cursor only moves forward, a copied message is stored
// with its timeline event once, edits follow it, and rooms of closed
// incidents come up for archiving until archived.
func TestWarRooms(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inc := newIncident("결제 지연 Checkout slow", incident.SEV2, incident.Internal, "checkout-api")
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		s := db.WarRooms()
		if r, err := s.Room(ctx, inc.ID); err != nil || r != nil {
			t.Fatalf("no room yet: %+v %v", r, err)
		}
		r, err := s.SaveRoom(ctx, &warroom.Room{IncidentID: inc.ID, Provider: warroom.Slack, ChannelID: "C1", Name: "inc-1-checkout-slow", CreatedAt: t0})
		if err != nil || r.ChannelID != "C1" || !r.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
			t.Fatalf("save: %+v %v", r, err)
		}
		again, err := s.SaveRoom(ctx, &warroom.Room{IncidentID: inc.ID, Provider: warroom.Slack, ChannelID: "C2", Name: "other", CreatedAt: t0})
		if err != nil || again.ChannelID != "C1" {
			t.Fatalf("second save: %+v %v", again, err)
		}
		if err := s.SetSummary(ctx, inc.ID, "1.2"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPostedThrough(ctx, inc.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPostedThrough(ctx, inc.ID, 0); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.RoomByChannel(ctx, warroom.Slack, "C1"); r == nil || r.PostedThrough != 1 || r.SummaryTS != "1.2" {
			t.Errorf("room %+v", r)
		}
		behind, err := s.RoomsBehind(ctx)
		if err != nil || len(behind) != 0 {
			t.Errorf("behind %v %v", behind, err)
		}

		c := &warroom.Copied{Provider: warroom.Slack, ChannelID: "C1", TS: "1700000000.000001", IncidentID: inc.ID, Author: "alice",
			Text: "롤백 시작", CopiedAt: t0}
		ev := &incident.Event{IncidentID: inc.ID, At: t0, Actor: "alice", Kind: warroom.EventChatMessage, Data: map[string]any{"text": "롤백 시작"}}
		if ok, err := s.CopyMessage(ctx, c, ev); err != nil || !ok || ev.ID == 0 || c.EventID != ev.ID {
			t.Fatalf("copy: %v %v %+v", ok, err, c)
		}
		dup := *c
		if ok, err := s.CopyMessage(ctx, &dup, &incident.Event{IncidentID: inc.ID, At: t0, Kind: warroom.EventChatMessage}); err != nil || ok {
			t.Fatalf("second copy: %v %v", ok, err)
		}
		if err := s.FollowMessage(ctx, c, "롤백 완료", false, &incident.Event{IncidentID: inc.ID, At: t0, Kind: warroom.EventChatEdited}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CopiedMessage(ctx, warroom.Slack, "C1", c.TS)
		if err != nil || got == nil || got.Text != "롤백 완료" || got.EventID != ev.ID || got.Deleted {
			t.Errorf("copied %+v %v", got, err)
		}
		// The same change seen twice (a poll and an event, two replicas)
		// is recorded once: c still holds the text from before the edit.
		twice := &incident.Event{IncidentID: inc.ID, At: t0, Kind: warroom.EventChatEdited}
		if err := s.FollowMessage(ctx, c, "롤백 완료", false, twice); err != nil || twice.ID != 0 {
			t.Errorf("a change followed twice: event %d, %v", twice.ID, err)
		}
		if behind, _ := s.RoomsBehind(ctx); len(behind) != 1 {
			t.Errorf("behind after new events: %v", behind)
		}

		closed := t0.Add(time.Hour)
		if _, err := db.Incidents().ChangeIncident(ctx, inc.ID, func(i *incident.Incident) (incident.Changes, error) {
			i.Status, i.ClosedAt = incident.Closed, &closed
			return incident.Changes{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if due, err := s.RoomsToArchive(ctx, closed.Add(-time.Minute)); err != nil || len(due) != 0 {
			t.Errorf("due too early: %v %v", due, err)
		}
		if due, err := s.RoomsToArchive(ctx, closed.Add(time.Minute)); err != nil || len(due) != 1 {
			t.Errorf("due: %v %v", due, err)
		}
		if err := s.MarkArchived(ctx, inc.ID, closed); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.RoomsToArchive(ctx, closed.Add(time.Minute)); len(due) != 0 {
			t.Errorf("archived room still due: %v", due)
		}
	})
}
