package chat

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// mattermostCommand serves Mattermost's slash command /incident (a custom
// slash command whose request URL is /hooks/mattermost/command).
// Mattermost signs nothing; it sends the command's token, in the form and
// in the Authorization header, which is compared in constant time. The
// fields pass the text rules of every input path, as Slack's do. Taken:
// `declare <grade> <service> <title>` (mattermost_declare.go), and
// `note <text>` in an incident's channel, or `note INC-<n> <text>`
// anywhere; each acts as the Firebreak user of the Mattermost user (the
// users map, else the username).
func (h *Handler) mattermostCommand(w http.ResponseWriter, r *http.Request) {
	if h.MattermostToken == "" || h.Rooms == nil || h.Rooms.Mattermost == nil {
		problem(w, http.StatusNotFound, "the Mattermost slash command is not configured")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		problem(w, http.StatusBadRequest, "body: not a form")
		return
	}
	f := r.PostForm
	token := f.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Token ")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(h.MattermostToken)) != 1 {
		h.log().WarnContext(r.Context(), "mattermost: refused command", "remote", r.RemoteAddr)
		problem(w, http.StatusUnauthorized, "token: not the slash command's token")
		return
	}
	cmd := f.Get("command")
	if cmd == "" {
		cmd = "/incident"
	}
	if field, p := slack.TextProblem(f); p != "" {
		mmAnswer(w, "ephemeral", "Not recorded · 접수하지 못했습니다: "+field+" "+mdText(p))
		return
	}
	verb, rest := cut(strings.TrimSpace(f.Get("text")))
	switch strings.ToLower(verb) {
	case "note":
		h.mattermostNote(w, r, f, rest)
	case "declare":
		h.mattermostDeclare(w, r, f, cmd, rest)
	case "update":
		h.mattermostUpdate(w, r, f, cmd, rest)
	default:
		mmAnswer(w, "ephemeral", mattermostUsage(cmd))
	}
}

func mattermostUsage(cmd string) string {
	return fmt.Sprintf("**Usage** · **사용법**\n"+
		"`%[1]s declare <SEV1-SEV5> <service> <title>` — declare an incident and tell who the policy names. · 장애를 선언하고 정책에 따라 전파합니다.\n"+
		"`%[1]s update [INC-<n>] [text]` — post a status update; without text, a form opens. · 상태 업데이트를 게시합니다. 내용 없이 입력하면 입력 창이 열립니다.\n"+
		"`%[1]s note <text>` (in an incident's channel · 장애 채널에서) or `%[1]s note INC-<n> <text>` — add a note to the timeline. · 타임라인에 메모를 남깁니다.", cmd)
}

// commandIncident reads which incident a Mattermost command is about: an
// "INC-n" first in rest (followed by more text, when withText says the
// command needs some), else the incident whose war room the channel is (0
// when it is none). It returns rest without the reference. ok is false
// when the answer is already written (the room could not be looked up).
func (h *Handler) commandIncident(w http.ResponseWriter, r *http.Request, f url.Values, rest string, withText bool) (id int64, _ string, ok bool) {
	if first, after := cut(rest); (after != "" || !withText) && strings.HasPrefix(strings.ToUpper(first), "INC-") {
		if n, ok := incident.ParseRef(first); ok {
			return n, after, true
		}
	}
	ctx := r.Context()
	n, _, err := h.Rooms.IncidentOfRoom(ctx, warroom.Mattermost, f.Get("channel_id"))
	if err != nil {
		h.log().ErrorContext(ctx, "mattermost: find the channel's incident", "channel", f.Get("channel_id"), "err", err)
		mmAnswer(w, "ephemeral", tryAgain)
		return 0, rest, false
	}
	return n, rest, true
}

func (h *Handler) mattermostNote(w http.ResponseWriter, r *http.Request, f url.Values, rest string) {
	ctx := r.Context()
	id, rest, ok := h.commandIncident(w, r, f, rest, true)
	if !ok {
		return
	}
	if id == 0 || strings.TrimSpace(rest) == "" {
		mmAnswer(w, "ephemeral", "This channel is no incident's channel, or the note is empty; name the incident. · 장애 채널이 아니거나 메모가 비었습니다. 장애 번호를 적어 주세요.")
		return
	}
	user, name, refusal := h.mattermostUser(ctx, f.Get("user_id"), f.Get("user_name"))
	if refusal != "" {
		mmAnswer(w, "ephemeral", refusal)
		return
	}
	if _, err := h.Incidents.AddNote(ctx, user, id, rest); err != nil {
		e, ok := fail.As(err)
		if !ok || e.Code == fail.Internal {
			h.log().ErrorContext(ctx, "mattermost: add note", "user", name, "incident", id, "err", err)
			mmAnswer(w, "ephemeral", tryAgain)
			return
		}
		mmAnswer(w, "ephemeral", "The note was not added · 메모를 남기지 못했습니다: "+e.Error())
		return
	}
	mmAnswer(w, "in_channel", fmt.Sprintf("**Note on %[1]s** · **%[1]s 메모** — %[2]s\n> %[3]s", incident.FormatRef(id), name,
		strings.ReplaceAll(rest, "\n", "\n> ")))
}

// mmAnswer is a slash command's answer: ephemeral (to the person only) or
// in_channel.
func mmAnswer(w http.ResponseWriter, kind, text string) {
	writeJSON(w, map[string]string{"response_type": kind, "text": text})
}

// cut splits off the first word.
func cut(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}
