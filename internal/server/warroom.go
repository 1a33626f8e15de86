package server

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/warroom"
	"github.com/firebreak-oss/firebreak/internal/web/chat"
)

// warRoomSweepEvery is how often rooms behind their timeline are caught up
// and rooms of long-closed incidents archived.
const warRoomSweepEvery = 5 * time.Minute

// mattermostPinsEvery is how often Mattermost rooms' pinned posts are read.
const mattermostPinsEvery = time.Minute

// openWarRooms builds the war rooms when the war_room section and a Slack
// app are configured: each serious incident's channel, kept in step with
// its timeline both ways. Without them it returns nil and nothing changes.
func (s *Server) openWarRooms(o Options, jc *jobs.Config) *warroom.Rooms {
	var api *warroom.SlackAPI
	var mm *warroom.MattermostAPI
	switch {
	case o.WarRoom == nil:
		return nil
	case o.WarRoom.Provider == warroom.Mattermost && o.WarRoom.Mattermost != nil:
		mm = warroom.NewMattermostAPI(o.WarRoom.Mattermost) // Mattermost's REST API with the bot token
	case o.DemoOutbox:
		// `serve --demo`: Slack and Mattermost answered in process, one
		// team's rooms on Mattermost, so both show.
		api, mm = warroom.DemoSlack(), warroom.DemoMattermost()
	case o.Notify != nil && o.Notify.Slack != nil:
		api = warroom.NewSlackAPI(*o.Notify.Slack)
	default:
		return nil // rooms need a Slack app to make channels with
	}
	cfg := *o.WarRoom
	if cfg.BaseURL == "" {
		cfg.BaseURL = o.BaseURL
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = o.Policy.BaseURL
	}
	rooms := &warroom.Rooms{Config: &cfg, Store: s.DB.WarRooms(), Incidents: s.DB.Incidents(), Catalog: o.Catalog,
		Slack: api, Mattermost: mm, Outbox: s.Outbox, DB: s.DB.SQL, Now: o.Now,
		Log: o.Logger.With("component", "warroom")}
	if api != nil && mm != nil {
		rooms.ProviderFor = warroom.DemoProvider(o.Catalog)
		if cfg.Mattermost == nil {
			cfg.Mattermost = warroom.DemoMattermostConfig(mm)
		}
	}
	propagate := s.DB.OnEvents
	s.DB.OnEvents = func(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error {
		if propagate != nil {
			if err := propagate(ctx, tx, inc, events); err != nil {
				return err
			}
		}
		return rooms.AfterEvents(ctx, tx, inc, events)
	}
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		rooms.Register(w)
		if register != nil {
			register(w)
		}
	}
	every := warRoomSweepEvery
	if mm != nil {
		// Mattermost tells of no pins: the sweep reads them, so it runs
		// more often (not in the demo, where nobody pins), and posts the
		// rooms' news through the outbox.
		if !mm.NoSocket {
			every = mattermostPinsEvery
		}
		s.Outbox.Notifiers[warroom.MattermostChannel] = mm
	}
	jc.Periodic = append(jc.Periodic, jobs.NewPeriodic(every,
		func() (river.JobArgs, *river.InsertOpts) { return warroom.SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	return rooms
}

// chatHandler serves the Slack app's events and interactivity endpoints.
func (s *Server) chatHandler(o Options, rooms *warroom.Rooms) *chat.Handler {
	if rooms == nil {
		return nil
	}
	h := &chat.Handler{Secret: o.Intake.Slack.SigningSecret, Rooms: rooms, Users: s.DB.Users(), Incidents: s.Incidents,
		Queue: s.Jobs, Now: o.Now, Log: o.Logger.With("component", "chat")}
	if mc := rooms.Config.Mattermost; rooms.Mattermost != nil && mc != nil {
		h.MattermostToken = mc.CommandToken
	}
	return h
}

// listenMattermost keeps the bot's WebSocket to Mattermost open while the
// server runs, when war rooms are on Mattermost: reactions with the pin
// emoji, and edits and deletions of copied posts, come only that way.
func (s *Server) listenMattermost(ctx context.Context) {
	if s.WarRooms == nil || s.WarRooms.Mattermost == nil || s.WarRooms.Mattermost.NoSocket {
		return
	}
	go s.WarRooms.ListenMattermost(ctx)
}
