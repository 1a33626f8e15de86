package warroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Mattermost's limits: a channel name, display name and purpose.
const (
	maxMattermostName    = 64
	maxMattermostDisplay = 64
	maxMattermostPurpose = 250
	maxMattermostHeader  = 1024
)

// mattermostName is the pattern's channel name within Mattermost's 64
// characters.
func mattermostName(pattern string, inc *incident.Incident) string {
	name := ChannelName(pattern, inc)
	if len(name) > maxMattermostName {
		name = strings.TrimRight(name[:maxMattermostName], "-_")
	}
	return name
}

func (r *Rooms) mmCreate(ctx context.Context, inc *incident.Incident) (*Room, error) {
	name := mattermostName(r.Config.NamePattern, inc)
	private := inc.Visibility == incident.Restricted
	display := clip(inc.Ref()+" "+inc.Title, maxMattermostDisplay-1)
	id, err := r.Mattermost.CreateChannel(ctx, name, display, private)
	if err != nil {
		return nil, fmt.Errorf("create channel ~%s: %w", name, err)
	}
	return r.Store.SaveRoom(ctx, &Room{IncidentID: inc.ID, Provider: Mattermost, ChannelID: id, Name: name, Private: private, CreatedAt: r.now()})
}

// mmInvite adds the room's people one by one (the API takes one user a
// call). Adding a member twice is no error to Mattermost; a user it will
// not take (deactivated, not in the team) is logged and skipped, so the
// room still gets its topic and summary.
func (r *Rooms) mmInvite(ctx context.Context, inc *incident.Incident, room *Room) error {
	for _, n := range r.People(inc) {
		id := r.Config.Mattermost.Users[n]
		if id == "" {
			continue
		}
		err := r.Mattermost.Call(ctx, http.MethodPost, "/channels/"+url.PathEscape(room.ChannelID)+"/members", map[string]any{"user_id": id}, nil)
		var e *MattermostError
		if err != nil && errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests {
			r.log().Warn("war room: member refused", "channel", room.Name, "user", id, "err", err)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mmRefresh sets the header (the topic) when it changed and posts, pins or
// updates the summary.
func (r *Rooms) mmRefresh(ctx context.Context, inc *incident.Incident, room *Room, mayPost bool) error {
	if topic := clip(Topic(inc, r.Link(inc)), maxMattermostHeader-1); topic != room.Topic {
		err := r.Mattermost.Call(ctx, http.MethodPut, "/channels/"+url.PathEscape(room.ChannelID)+"/patch",
			map[string]any{"header": topic, "purpose": clip(inc.Title, maxMattermostPurpose-1)}, nil)
		if err != nil {
			return err
		}
		if err := r.Store.SetTopic(ctx, inc.ID, topic); err != nil {
			return err
		}
		room.Topic = topic
	}
	message := MattermostSummary(inc, r.Config.BaseURL)
	props := MattermostActions(inc, r.Config.BaseURL, r.Mattermost.Token)
	if room.SummaryTS != "" {
		return r.Mattermost.Call(ctx, http.MethodPut, "/posts/"+url.PathEscape(room.SummaryTS)+"/patch", map[string]any{"message": message,
			"props": props}, nil)
	}
	if !mayPost {
		return nil
	}
	// The pending post id makes a retried post (its answer lost) one post.
	id, err := r.Mattermost.CreatePost(ctx, room.ChannelID, message, props, "fb-summary-"+strconv.FormatInt(inc.ID, 10)+"-"+room.ChannelID)
	if err != nil {
		return err
	}
	if err := r.Store.SetSummary(ctx, inc.ID, id); err != nil {
		return err
	}
	room.SummaryTS = id
	// Pinning a pinned post is no error to Mattermost.
	return r.Mattermost.Call(ctx, http.MethodPost, "/posts/"+url.PathEscape(id)+"/pin", nil, nil)
}

// mmArchive archives the channel (DELETE archives in Mattermost; it can be
// restored). A channel already gone is archived enough.
func (r *Rooms) mmArchive(ctx context.Context, room Room) error {
	err := r.Mattermost.Call(ctx, http.MethodDelete, "/channels/"+url.PathEscape(room.ChannelID), nil, nil)
	if mattermostStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// MattermostSummary is the pinned summary in Mattermost's Markdown: what
// the incident is, where it stands, who holds which role, and the links to
// work it on the web.
func MattermostSummary(inc *incident.Incident, base string) string {
	link := fmt.Sprintf(incidentURLFmt, base, inc.Ref())
	var b strings.Builder
	fmt.Fprintf(&b, "#### [%s](%s) %s — %s\n", inc.Ref(), link, inc.Grade, mdEscape(inc.Title))
	b.WriteString("| Status · 상태 | Grade · 등급 | Resolver · 해결 담당 | Communicator · 전파 담당 | Services · 서비스 |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", statusText(inc.Status), inc.Grade, mdEscape(roleHolder(inc, incident.Resolver)),
		mdEscape(roleHolder(inc, incident.Communicator)), mdEscape(strings.Join(inc.Services, ", ")))
	if w := incident.RoleWarning(inc); w != "" {
		fmt.Fprintf(&b, "\n:warning: %s\n%s\n", mdEscape(w), mdEscape(incident.RoleWarningIn(inc, "ko")))
	}
	fmt.Fprintf(&b, "\n[Open · 열기](%[1]s) · [Report · 보고서](%[1]s/report)\n", link)
	b.WriteString("_Pin a message to copy it to the timeline; `/incident note <text>` adds a note. · 메시지를 고정하면 타임라인에 복사됩니다. `/incident note <내용>`으로 메모를 남깁니다._")
	return b.String()
}

// mdEscape keeps a title from being read as Markdown or a table cell.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "\n", " ").Replace(s)
}

var (
	mdLink   = regexp.MustCompile(`\[([^\]]*)\]\((https?://[^\s)]+)\)`)
	bareLink = regexp.MustCompile(`https?://[^\s<>()\[\]]+`)
)

// mmPlain turns a post's Markdown links into "label (url)" and lists the
// links the text holds.
func mmPlain(s string) (string, []string) {
	var links []string
	out := mdLink.ReplaceAllStringFunc(s, func(m string) string {
		p := mdLink.FindStringSubmatch(m)
		links = append(links, p[2])
		if p[1] == "" || p[1] == p[2] {
			return p[2]
		}
		return p[1] + " (" + p[2] + ")"
	})
	for _, l := range bareLink.FindAllString(s, -1) {
		l = strings.TrimRight(l, ".,;:!?")
		if !containsStr(links, l) {
			links = append(links, l)
		}
	}
	return clean(out), links
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mmUserName is the Firebreak name of a Mattermost user: the config's map,
// then the Mattermost username, then the id.
func (r *Rooms) mmUserName(ctx context.Context, id string) string {
	if n, ok := r.Config.Mattermost.MattermostUser(id); ok {
		return n
	}
	if n := r.Mattermost.Username(ctx, id); n != "" {
		return n
	}
	return id
}

// CollectPinned copies a Mattermost room's pinned posts to the timeline:
// Mattermost's outgoing webhooks tell of new posts only, not of pins or
// edits, so the pinned list is read. A pinned post copied before whose
// text changed is followed as an edit; a copied post that was deleted is
// followed as a removal. The summary itself is pinned and skipped.
func (r *Rooms) CollectPinned(ctx context.Context, room *Room) (int, error) {
	pinned, err := r.Mattermost.Pinned(ctx, room.ChannelID)
	if err != nil {
		return 0, err
	}
	copied := 0
	seen := map[string]bool{}
	for _, p := range pinned {
		seen[p.ID] = true
		if p.ID == room.SummaryTS || p.DeleteAt != 0 {
			continue
		}
		added, err := r.mmCopy(ctx, room, &p, "")
		if err != nil {
			return copied, err
		}
		if added {
			copied++
		}
	}
	// A copied post no longer pinned was unpinned or deleted; only a
	// deletion is news for the timeline (an unpinned message was still said).
	earlier, err := r.Store.CopiedMessages(ctx, Mattermost, room.ChannelID)
	if err != nil {
		return copied, err
	}
	for i := range earlier {
		c := &earlier[i]
		if seen[c.TS] {
			continue
		}
		var p Post
		err := r.Mattermost.Call(ctx, http.MethodGet, "/posts/"+url.PathEscape(c.TS), nil, &p)
		if mattermostStatus(err, http.StatusNotFound) || (err == nil && p.DeleteAt != 0) {
			if err := r.mmFollow(ctx, c, "", true); err != nil {
				return copied, err
			}
			continue
		}
		if err != nil {
			return copied, err
		}
	}
	return copied, nil
}

// mmText is what the timeline keeps of a post: its Markdown links as
// "label (url)", its files as links, clipped.
func (r *Rooms) mmText(p *Post) (string, []string) {
	text, links := mmPlain(p.Message)
	for _, f := range p.Metadata.Files {
		link := r.Mattermost.URL + "/api/v4/files/" + f.ID
		text += "\n📎 " + f.Name + ": " + link
		links = append(links, link)
	}
	return clip(strings.TrimSpace(text), maxCopied), links
}

// mmCopy copies a post of a room to the timeline with its author and time;
// a post copied before whose text changed is followed as an edit instead.
// markedBy is the Mattermost user who reacted with the pin emoji, if any.
// True when a copy was added.
func (r *Rooms) mmCopy(ctx context.Context, room *Room, p *Post, markedBy string) (bool, error) {
	text, links := r.mmText(p)
	c, err := r.Store.CopiedMessage(ctx, Mattermost, room.ChannelID, p.ID)
	if err != nil {
		return false, err
	}
	if c != nil {
		if !c.Deleted && c.Text != text {
			return false, r.mmFollow(ctx, c, text, false)
		}
		return false, nil
	}
	author := r.mmUserName(ctx, p.UserID)
	at := time.UnixMilli(p.CreateAt).UTC()
	if p.CreateAt == 0 {
		at = r.now()
	}
	data := map[string]any{"text": text, "title": author + ": " + clip(text, 200), "author": author, "ts": p.ID,
		"channel_id": room.ChannelID, "channel": "~" + room.Name, "provider": Mattermost}
	if len(links) > 0 {
		data["links"] = links
	}
	if markedBy != "" {
		data["marked_by"] = r.mmUserName(ctx, markedBy)
	}
	ev := &incident.Event{IncidentID: room.IncidentID, At: at, Actor: author, Kind: EventChatMessage, Data: data}
	return r.Store.CopyMessage(ctx, &Copied{Provider: Mattermost, ChannelID: room.ChannelID, TS: p.ID, IncidentID: room.IncidentID,
		Author: author, Text: text, CopiedAt: r.now()}, ev)
}

func (r *Rooms) mmFollow(ctx context.Context, c *Copied, text string, deleted bool) error {
	kind := EventChatEdited
	data := map[string]any{"ts": c.TS, "channel_id": c.ChannelID, "author": c.Author, "copied_event": c.EventID, "before": c.Text,
		"provider": Mattermost}
	if deleted {
		kind = EventChatDeleted
		data["title"] = c.Author + ": " + clip(c.Text, 200)
		text = c.Text
	} else {
		data["text"], data["title"] = text, c.Author+": "+clip(text, 200)
	}
	ev := &incident.Event{IncidentID: c.IncidentID, At: r.now(), Actor: c.Author, Kind: kind, Data: data}
	return r.Store.FollowMessage(ctx, c, text, deleted, ev)
}

// collectAll reads the pinned posts of every open Mattermost room.
func (r *Rooms) collectAll(ctx context.Context) []error {
	rooms, err := r.Store.OpenRooms(ctx, Mattermost)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for i := range rooms {
		if _, err := r.CollectPinned(ctx, &rooms[i]); err != nil {
			errs = append(errs, fmt.Errorf("read the pins of ~%s: %w", rooms[i].Name, err))
		}
	}
	return errs
}

// slackToMarkdown turns the room lines of ChatLine, written in Slack's
// markup, into Mattermost's Markdown: *bold* becomes **bold**, and the
// escaped &, < and > are themselves again.
func slackToMarkdown(s string) string {
	s = slackBold.ReplaceAllString(s, "**$1**")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

var slackBold = regexp.MustCompile(`(?m)(?:^|\B)\*([^*\n]+)\*(?:\B|$)`)

// IncidentOfRoom names the incident whose room a provider's channel is;
// false when the channel is no war room.
func (r *Rooms) IncidentOfRoom(ctx context.Context, provider, channelID string) (int64, bool, error) {
	if r == nil {
		return 0, false, nil
	}
	room, err := r.Store.RoomByChannel(ctx, provider, channelID)
	if err != nil || room == nil {
		return 0, false, err
	}
	return room.IncidentID, true, nil
}

// Title is how people write the room's channel: #name in Slack, ~name in
// Mattermost.
func (r *Room) Title() string {
	if r.Provider == Mattermost {
		return "~" + r.Name
	}
	return "#" + r.Name
}
