package warroom

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Event kinds the war room writes on the timeline.
const (
	EventOpened        incident.EventKind = "war_room_opened"
	EventArchived      incident.EventKind = "war_room_archived"
	EventFailed        incident.EventKind = "war_room_failed"
	EventChatMessage   incident.EventKind = "chat_message"
	EventChatEdited    incident.EventKind = "chat_message_edited"
	EventChatDeleted   incident.EventKind = "chat_message_deleted"
	chatActor                             = "firebreak"
	maxEventsPerSync                      = 200
	defaultArchiveEach                    = 10 * time.Minute
)

// Incidents is what the rooms read of incidents.
type Incidents interface {
	GetIncident(ctx context.Context, id int64) (*incident.Incident, error)
	ListEvents(ctx context.Context, incidentID, after int64, limit int) ([]incident.Event, error)
	AppendEvent(ctx context.Context, ev *incident.Event) error
}

// Queue enqueues the rooms' jobs; the job queue client is one.
type Queue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Outbox stores chat messages for delivery with rate limits and retries.
type Outbox interface {
	Store(ctx context.Context, tx *sql.Tx, msgs ...notify.Message) error
}

// Rooms opens and keeps incidents' war rooms.
type Rooms struct {
	Config    *Config
	Store     Store
	Incidents Incidents
	Catalog   *catalog.Catalog
	Slack     *SlackAPI
	// Mattermost, when set, makes the rooms in Mattermost instead of
	// Slack (war_room.provider: mattermost).
	Mattermost *MattermostAPI
	// ProviderFor, when set with both clients, chooses where a new room
	// is made (the demo shows both); nil: Mattermost when it is set.
	ProviderFor func(*incident.Incident) string
	Outbox      Outbox
	Queue       Queue
	DB          *sql.DB // for the transactions that store chat messages
	Now         func() time.Time
	Log         *slog.Logger
}

func (r *Rooms) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}

func (r *Rooms) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

// Link is the incident's page.
func (r *Rooms) Link(inc *incident.Incident) string {
	return fmt.Sprintf(incidentURLFmt, r.Config.BaseURL, inc.Ref())
}

// AfterEvents runs in the transaction that appends events: a declaration
// (or a grade raised) into the grades the config names enqueues the room's
// opening; any event on an incident with a room enqueues a sync, which
// brings the topic and summary up to date and tells the channel the news.
func (r *Rooms) AfterEvents(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error {
	if r == nil || r.Config == nil {
		return nil
	}
	opens := false
	for _, ev := range events {
		if ev.Kind == incident.EventDeclared || ev.Kind == incident.EventGradeChanged {
			opens = opens || r.Config.Opens(inc.Grade)
		}
	}
	room, err := r.Store.RoomTx(ctx, tx, inc.ID)
	if err != nil {
		return err
	}
	if room == nil {
		if !opens || inc.Status == incident.Closed {
			return nil
		}
		_, err := r.Queue.InsertTx(ctx, tx, OpenArgs{IncidentID: inc.ID}, nil)
		return err
	}
	if room.ArchivedAt != nil {
		return nil
	}
	_, err = r.Queue.InsertTx(ctx, tx, SyncArgs{IncidentID: inc.ID}, nil)
	return err
}

// OpenArgs asks for an incident's room to be opened.
type OpenArgs struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job.
func (OpenArgs) Kind() string { return "warroom.open" }

// InsertOpts makes the opening enqueued once per incident, ever: a second
// declaration event or a grade bounced up and down never opens two.
func (OpenArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SyncArgs asks for a room's topic, summary and news to be brought up to
// date. Any number may run: each reads the current state, and messages are
// stored under a key per event.
type SyncArgs struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job.
func (SyncArgs) Kind() string { return "warroom.sync" }

// SweepArgs asks for the periodic round: rooms behind their timeline are
// synced (events written by paths that do not pass AfterEvents, such as
// deliveries and kill-switch flips), and rooms of long-closed incidents
// archived.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "warroom.sweep" }

// Open opens an incident's room, step by step, each step safe to repeat:
// the channel (found again by name if a crash lost its id), the
// invitations, the topic, the pinned summary.
func (r *Rooms) Open(ctx context.Context, incidentID int64) error {
	inc, err := r.Incidents.GetIncident(ctx, incidentID)
	if err != nil {
		return err
	}
	room, err := r.Store.Room(ctx, inc.ID)
	if err != nil {
		return err
	}
	if room == nil {
		if room, err = r.createChannel(ctx, inc); err != nil {
			return err
		}
	}
	// Only this job posts the summary: syncs leave a room without one
	// alone, so two never race to post (and pin) it twice.
	opening := room.SummaryTS == ""
	if err := r.invite(ctx, inc, room); err != nil {
		return err
	}
	if err := r.refresh(ctx, inc, room, true); err != nil {
		return err
	}
	if !opening {
		return nil
	}
	ev := &incident.Event{IncidentID: inc.ID, At: r.now(), Actor: chatActor, Kind: EventOpened,
		Data: map[string]any{"provider": room.Provider, "channel_id": room.ChannelID, "name": room.Name, "title": room.Title(),
			"private": room.Private}}
	if err := r.Incidents.AppendEvent(ctx, ev); err != nil {
		return err
	}
	// What happened before the room existed is in the summary; the
	// channel is told only what happens from now on.
	if err := r.Store.SetPostedThrough(ctx, inc.ID, ev.ID); err != nil {
		return err
	}
	// Changes made while the room opened were left to this job; one sync
	// brings the summary and topic up to them.
	_, err = r.Queue.Insert(ctx, SyncArgs{IncidentID: inc.ID}, nil)
	return err
}

func (r *Rooms) createChannel(ctx context.Context, inc *incident.Incident) (*Room, error) {
	if r.Mattermost != nil && (r.ProviderFor == nil || r.Slack == nil || r.ProviderFor(inc) == Mattermost) {
		return r.mmCreate(ctx, inc)
	}
	name := ChannelName(r.Config.NamePattern, inc)
	private := inc.Visibility == incident.Restricted
	id, err := r.Slack.CreateChannel(ctx, name, private)
	if IsSlackError(err, "name_taken") {
		// An earlier try made it and died before storing its id.
		id, err = r.Slack.FindChannel(ctx, name)
		if err == nil && id == "" {
			err = notify.Permanent(fmt.Errorf("channel #%s exists but the bot cannot see it; invite the app or change war_room.name_pattern", name))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create channel #%s: %w", name, err)
	}
	return r.Store.SaveRoom(ctx, &Room{IncidentID: inc.ID, Provider: Slack, ChannelID: id, Name: name, Private: private, CreatedAt: r.now()})
}

// People is who a room invites: the roles, the owning teams' people on
// duty, and, for a restricted incident, only those of them who are its
// members — a private channel holds no one the incident does not.
func (r *Rooms) People(inc *incident.Incident) []string {
	var names []string
	add := func(n string) {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	add(inc.Roles[incident.Resolver])
	add(inc.Roles[incident.Communicator])
	for _, svc := range inc.Services {
		s, ok := r.Catalog.Service(svc)
		if !ok {
			continue
		}
		duty, ok := r.Config.OnDuty[s.Team]
		if !ok {
			if t, ok := r.Catalog.Team(s.Team); ok {
				duty = []string{t.Lead}
			}
		}
		for _, n := range duty {
			add(n)
		}
	}
	if inc.Visibility == incident.Restricted {
		for _, m := range inc.Members {
			add(m)
		}
		names = slices.DeleteFunc(names, func(n string) bool { return !inc.IsMember(n) })
	}
	return names
}

func (r *Rooms) invite(ctx context.Context, inc *incident.Incident, room *Room) error {
	if room.Provider == Mattermost {
		return r.mmInvite(ctx, inc, room)
	}
	var ids []string
	for _, n := range r.People(inc) {
		if id := r.Config.SlackUsers[n]; id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err := r.Slack.Call(ctx, "conversations.invite", map[string]any{"channel": room.ChannelID, "users": strings.Join(ids, ",")}, nil)
	var se *SlackError
	switch {
	case err == nil || IsSlackError(err, "already_in_channel") || IsSlackError(err, "cant_invite_self"):
		return nil
	case errors.As(err, &se) && se.Code != "ratelimited":
		// Someone Slack will not take (a deactivated or foreign account)
		// must not keep the room without its topic and summary; people
		// can still join by themselves.
		r.log().Warn("war room: invitation refused", "channel", room.Name, "users", strings.Join(ids, ","), "err", err)
		return nil
	}
	return err
}

// refresh sets the topic when it changed and posts, pins or updates the
// summary.
func (r *Rooms) refresh(ctx context.Context, inc *incident.Incident, room *Room, mayPost bool) error {
	if room.Provider == Mattermost {
		return r.mmRefresh(ctx, inc, room, mayPost)
	}
	if topic := Topic(inc, r.Link(inc)); topic != room.Topic {
		if err := r.Slack.Call(ctx, "conversations.setTopic", map[string]any{"channel": room.ChannelID, "topic": topic}, nil); err != nil {
			return err
		}
		if err := r.Store.SetTopic(ctx, inc.ID, topic); err != nil {
			return err
		}
		room.Topic = topic
	}
	body := map[string]any{"channel": room.ChannelID, "text": SummaryText(inc), "blocks": SummaryBlocks(inc, r.Config.BaseURL)}
	if room.SummaryTS != "" {
		body["ts"] = room.SummaryTS
		return r.Slack.Call(ctx, "chat.update", body, nil)
	}
	if !mayPost {
		return nil
	}
	var out struct {
		TS string `json:"ts"`
	}
	if err := r.Slack.Call(ctx, "chat.postMessage", body, &out); err != nil {
		return err
	}
	if err := r.Store.SetSummary(ctx, inc.ID, out.TS); err != nil {
		return err
	}
	room.SummaryTS = out.TS
	err := r.Slack.Call(ctx, "pins.add", map[string]any{"channel": room.ChannelID, "timestamp": out.TS}, nil)
	if IsSlackError(err, "already_pinned") {
		return nil
	}
	return err
}

// Sync brings a room up to date: topic, summary, and the timeline's news
// since the room's cursor, posted through the outbox.
func (r *Rooms) Sync(ctx context.Context, incidentID int64) error {
	room, err := r.Store.Room(ctx, incidentID)
	if err != nil || room == nil || room.ArchivedAt != nil || room.SummaryTS == "" {
		return err // none, closed for good, or still opening (its job catches up)
	}
	// The events first, then the incident: an event and the change it
	// records commit together, so the incident read second holds every
	// change the events tell of (a role holder to invite, say), even when
	// another sync moves the cursor past them meanwhile.
	events, err := r.Incidents.ListEvents(ctx, incidentID, room.PostedThrough, maxEventsPerSync)
	if err != nil {
		return err
	}
	inc, err := r.Incidents.GetIncident(ctx, incidentID)
	if err != nil {
		return err
	}
	if err := r.refresh(ctx, inc, room, false); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	var msgs []notify.Message
	for _, ev := range events {
		if ev.Kind == incident.EventRoleAssigned {
			// A new role holder belongs in the room.
			if err := r.invite(ctx, inc, room); err != nil {
				return err
			}
			break
		}
	}
	for _, ev := range events {
		text, ok := ChatLine(ev, room)
		if !ok {
			continue
		}
		m := notify.Message{Key: fmt.Sprintf("warroom:%d:%s:%d", incidentID, room.ChannelID, ev.ID), IncidentID: incidentID,
			EventID: ev.ID, Channel: notify.Slack, Target: "#" + room.Name, To: room.ChannelID, Lang: "ko", Text: text}
		if room.Provider == Mattermost {
			m.Channel, m.Target, m.Text = MattermostChannel, "~"+room.Name, slackToMarkdown(text)
		}
		msgs = append(msgs, m)
	}
	last := events[len(events)-1].ID
	if len(msgs) > 0 {
		tx, err := r.DB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := r.Outbox.Store(ctx, tx, msgs...); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if err := r.Store.SetPostedThrough(ctx, incidentID, last); err != nil {
		return err
	}
	if len(events) == maxEventsPerSync {
		_, err = r.Queue.Insert(ctx, SyncArgs{IncidentID: incidentID}, nil)
	}
	return err
}

// Sweep syncs rooms behind their timeline and archives the rooms of
// incidents closed longer than ArchiveAfter.
func (r *Rooms) Sweep(ctx context.Context) error {
	behind, err := r.Store.RoomsBehind(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range behind {
		if err := r.Sync(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("sync war room of %s: %w", incident.FormatRef(id), err))
		}
	}
	if r.Mattermost != nil {
		errs = append(errs, r.collectAll(ctx)...)
	}
	due, err := r.Store.RoomsToArchive(ctx, r.now().Add(-r.Config.ArchiveAfter))
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, room := range due {
		if err := r.archive(ctx, room); err != nil {
			errs = append(errs, fmt.Errorf("archive #%s: %w", room.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (r *Rooms) archive(ctx context.Context, room Room) error {
	if room.Provider == Mattermost {
		if err := r.mmArchive(ctx, room); err != nil {
			return err
		}
	} else if err := r.Slack.Call(ctx, "conversations.archive", map[string]any{"channel": room.ChannelID}, nil); err != nil &&
		!IsSlackError(err, "already_archived") {
		return err
	}
	at := r.now()
	if err := r.Store.MarkArchived(ctx, room.IncidentID, at); err != nil {
		return err
	}
	return r.Incidents.AppendEvent(ctx, &incident.Event{IncidentID: room.IncidentID, At: at, Actor: chatActor, Kind: EventArchived,
		Data: map[string]any{"channel_id": room.ChannelID, "name": room.Name, "title": room.Title()}})
}

// Register adds the rooms' job workers.
func (r *Rooms) Register(w *river.Workers) {
	river.AddWorker(w, &openWorker{r: r})
	river.AddWorker(w, &syncWorker{r: r})
	river.AddWorker(w, &sweepWorker{r: r})
	river.AddWorker(w, &copyWorker{r: r})
	river.AddWorker(w, &ephemeralWorker{r: r})
	river.AddWorker(w, &mmCopyWorker{r: r})
	river.AddWorker(w, &mmFollowWorker{r: r})
}

// Periodic is the sweep, every few minutes.
func (r *Rooms) Periodic(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = defaultArchiveEach
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

type openWorker struct {
	river.WorkerDefaults[OpenArgs]
	r *Rooms
}

func (w *openWorker) Work(ctx context.Context, job *river.Job[OpenArgs]) error {
	err := jobError(w.r.Open(ctx, job.Args.IncidentID))
	var cancel *rivertype.JobCancelError
	if errors.As(err, &cancel) || (err != nil && job.Attempt >= job.MaxAttempts) {
		// Given up: the incident's people must know there is no room.
		ev := &incident.Event{IncidentID: job.Args.IncidentID, At: w.r.now(), Actor: chatActor, Kind: EventFailed,
			Data: map[string]any{"reason": err.Error(), "title": err.Error()}}
		if aerr := w.r.Incidents.AppendEvent(ctx, ev); aerr != nil {
			return aerr
		}
	}
	return err
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	r *Rooms
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	return jobError(w.r.Sync(ctx, job.Args.IncidentID))
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	r *Rooms
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	return w.r.Sweep(ctx)
}

// jobError turns Slack's answers into what the queue does with them: a
// rate limit waits as asked, an answer no retry changes ends the job.
func jobError(err error) error {
	var ra *notify.RetryAfterError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ra):
		return river.JobSnooze(ra.After)
	case notify.IsPermanent(err):
		return river.JobCancel(err)
	}
	var se *SlackError
	if errors.As(err, &se) && permanent[se.Code] {
		return river.JobCancel(err)
	}
	return err
}

// permanent are Slack's answers that no retry changes.
var permanent = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true, "missing_scope": true,
	"invalid_name": true, "invalid_name_specials": true, "invalid_name_maxlength": true, "restricted_action": true,
	"channel_not_found": true, "is_archived": true, "invalid_blocks": true, "message_not_found": true,
}

// EphemeralArgs asks for a private answer to one person in a channel
// (chat.postEphemeral): a refusal, or what went wrong with a button.
type EphemeralArgs struct {
	ChannelID string `json:"channel_id"`
	User      string `json:"user"`
	Text      string `json:"text"`
}

// Kind names the job.
func (EphemeralArgs) Kind() string { return "warroom.ephemeral" }

type ephemeralWorker struct {
	river.WorkerDefaults[EphemeralArgs]
	r *Rooms
}

func (w *ephemeralWorker) Work(ctx context.Context, job *river.Job[EphemeralArgs]) error {
	a := job.Args
	if w.r.Slack == nil {
		return nil // rooms are on Mattermost, which answers a press itself
	}
	err := w.r.Slack.Call(ctx, "chat.postEphemeral", map[string]any{"channel": a.ChannelID, "user": a.User, "text": a.Text}, nil)
	if IsSlackError(err, "user_not_in_channel") {
		return nil // they left; nobody is left to tell
	}
	return jobError(err)
}

// OpenModal shows the status-update form to whoever pressed the button.
// It is called in the request itself: Slack's trigger id lives three
// seconds, too short for a queued job.
func (r *Rooms) OpenModal(ctx context.Context, triggerID string, inc *incident.Incident) error {
	return r.Slack.Call(ctx, "views.open", map[string]any{"trigger_id": triggerID, "view": UpdateModal(inc)}, nil)
}
