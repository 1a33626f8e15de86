package warroom

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// CopyArgs asks for a chat message to be copied to its room's incident
// timeline: someone marked it with the pin emoji.
type CopyArgs struct {
	ChannelID string `json:"channel_id"`
	TS        string `json:"ts"`
	// Thread is the thread the message is a reply in, if any.
	Thread string `json:"thread,omitempty"`
	// MarkedBy is the Slack user who added the reaction.
	MarkedBy string `json:"marked_by,omitempty"`
}

// Kind names the job.
func (CopyArgs) Kind() string { return "warroom.copy" }

// InsertOpts makes a message's copy enqueued once, however often it is
// marked.
func (CopyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type copyWorker struct {
	river.WorkerDefaults[CopyArgs]
	r *Rooms
}

func (w *copyWorker) Work(ctx context.Context, job *river.Job[CopyArgs]) error {
	_, err := w.r.Copy(ctx, job.Args)
	return jobError(err)
}

// maxCopied bounds the text copied from one message.
const maxCopied = 4000

// Copy reads a marked message and copies it to the timeline with its
// author and time, files and links kept as links. A message copied before
// is left as it is; false then, or when the channel is no war room.
func (r *Rooms) Copy(ctx context.Context, a CopyArgs) (bool, error) {
	room, err := r.Store.RoomByChannel(ctx, Slack, a.ChannelID)
	if err != nil || room == nil {
		return false, err
	}
	if c, err := r.Store.CopiedMessage(ctx, Slack, a.ChannelID, a.TS); err != nil || c != nil {
		return false, err
	}
	m, err := r.Slack.FetchMessage(ctx, a.ChannelID, a.TS, a.Thread)
	if err != nil {
		return false, err
	}
	author := r.userName(ctx, m.User)
	text, links := r.plainText(ctx, m.Text)
	for _, f := range m.Files {
		if f.Permalink != "" {
			text += "\n📎 " + f.Name + ": " + f.Permalink
			links = append(links, f.Permalink)
		}
	}
	text = clip(strings.TrimSpace(text), maxCopied)
	at := SlackTime(a.TS)
	if at.IsZero() {
		at = r.now()
	}
	data := map[string]any{"text": text, "title": author + ": " + clip(text, 200), "author": author, "ts": a.TS,
		"channel_id": a.ChannelID, "channel": "#" + room.Name}
	if len(links) > 0 {
		data["links"] = links
	}
	if a.MarkedBy != "" {
		data["marked_by"] = r.userName(ctx, a.MarkedBy)
	}
	ev := &incident.Event{IncidentID: room.IncidentID, At: at, Actor: author, Kind: EventChatMessage, Data: data}
	return r.Store.CopyMessage(ctx, &Copied{Provider: Slack, ChannelID: a.ChannelID, TS: a.TS, IncidentID: room.IncidentID,
		Author: author, Text: text, CopiedAt: r.now()}, ev)
}

// Follow records on the timeline that a copied message was edited (text
// set) or removed. A message never copied is no business of the timeline:
// false then.
func (r *Rooms) Follow(ctx context.Context, channelID, ts, text string, deleted bool) (bool, error) {
	c, err := r.Store.CopiedMessage(ctx, Slack, channelID, ts)
	if err != nil || c == nil || c.Deleted {
		return false, err
	}
	plainText, _ := r.plainText(ctx, text)
	plainText = clip(strings.TrimSpace(plainText), maxCopied)
	if !deleted && plainText == c.Text {
		return false, nil
	}
	kind := EventChatEdited
	data := map[string]any{"ts": ts, "channel_id": channelID, "author": c.Author, "copied_event": c.EventID, "before": c.Text}
	if deleted {
		kind = EventChatDeleted
		data["title"] = c.Author + ": " + clip(c.Text, 200)
		plainText = c.Text
	} else {
		data["text"], data["title"] = plainText, c.Author+": "+clip(plainText, 200)
	}
	ev := &incident.Event{IncidentID: c.IncidentID, At: r.now(), Actor: c.Author, Kind: kind, Data: data}
	return true, r.Store.FollowMessage(ctx, c, plainText, deleted, ev)
}

// userName is the Firebreak name of a Slack user: the config's map, then
// Slack's own name for them, then the id.
func (r *Rooms) userName(ctx context.Context, id string) string {
	if id == "" {
		return "slack"
	}
	if n, ok := r.Config.SlackUser(id); ok {
		return n
	}
	var out struct {
		User struct {
			Name string `json:"name"`
		} `json:"user"`
	}
	if err := r.Slack.Call(ctx, "users.info", url.Values{"user": {id}}, &out); err == nil && out.User.Name != "" {
		return out.User.Name
	}
	return id
}

var slackMarkup = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// plainText turns Slack's markup into plain text: links become "label
// (url)" and are returned too, mentions become @name.
func (r *Rooms) plainText(ctx context.Context, s string) (string, []string) {
	var links []string
	out := slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		p := slackMarkup.FindStringSubmatch(m)
		target, label := p[1], p[2]
		switch {
		case strings.HasPrefix(target, "@"):
			return "@" + r.userName(ctx, strings.TrimPrefix(target, "@"))
		case strings.HasPrefix(target, "#"):
			if label != "" {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			return "@" + strings.TrimPrefix(target, "!")
		}
		links = append(links, target)
		if label != "" && label != target {
			return label + " (" + target + ")"
		}
		return target
	})
	out = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out)
	return clean(out), links
}

// clean keeps what the timeline's text rules (internal/textrule) allow in
// a multi-line text: valid UTF-8, no control characters but newline and
// tab. A chat message is copied, not refused, so the rest is dropped.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// SlackTime reads a Slack ts ("1700000000.000100") as a time.
func SlackTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// IncidentOfChannel names the incident whose room a channel is, for
// /incident note typed in it; false when the channel is no war room.
func (r *Rooms) IncidentOfChannel(ctx context.Context, channelID string) (int64, bool, error) {
	if r == nil {
		return 0, false, nil // no war rooms configured
	}
	room, err := r.Store.RoomByChannel(ctx, Slack, channelID)
	if err != nil || room == nil {
		return 0, false, err
	}
	return room.IncidentID, true, nil
}
