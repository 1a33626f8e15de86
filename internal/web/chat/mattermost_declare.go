package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
)

// mattermostDeclare handles `/incident declare <grade> <service> <title>`
// from Mattermost: the same words, rules and permission checks as Slack's
// (intake/slack.ParseDeclare): the incident is internal, with whoever
// declares it as a member, and someone who may not declare on the service
// is refused with nothing stored. The incident's targets are told, and a
// war room opens for the grades the config names, as from the web.
func (h *Handler) mattermostDeclare(w http.ResponseWriter, r *http.Request, f url.Values, cmd, text string) {
	help := fmt.Sprintf("**Usage** · **사용법**: `%[1]s declare <SEV1-SEV5> <service> <title>`\n"+
		"e.g. `%[1]s declare sev2 payments 카드 결제 실패`", cmd)
	dc, ok, err := slack.ParseDeclare(text)
	switch {
	case !ok:
		mmAnswer(w, "ephemeral", help)
		return
	case err != nil:
		grade, _ := cut(text)
		mmAnswer(w, "ephemeral", fmt.Sprintf("%q: %v\n%s", grade, err, help))
		return
	}
	ctx := r.Context()
	user, name, refusal := h.mattermostUser(ctx, f.Get("user_id"), f.Get("user_name"))
	if refusal != "" {
		mmAnswer(w, "ephemeral", refusal)
		return
	}
	inc, err := h.Incidents.Declare(ctx, user, dc.Declaration("mattermost", f.Get("channel_name")))
	if err != nil {
		var e *fail.Error
		if errors.As(err, &e) && e.Code != fail.Internal {
			msg := e.Message
			if strings.HasPrefix(e.Field, "services") {
				msg = fmt.Sprintf("unknown service %q · 알 수 없는 서비스입니다", dc.Service)
			}
			mmAnswer(w, "ephemeral", "Not declared · 선언하지 못했습니다: "+mdText(msg)+"\n"+help)
			return
		}
		h.log().ErrorContext(ctx, "mattermost: declare", "user", name, "err", err)
		// Not stored: not a 2xx, so Mattermost shows the command failed.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"response_type":"ephemeral","text":"Sorry, the incident could not be declared. Please try again. · 죄송합니다. 장애를 선언하지 못했습니다. 다시 시도해 주세요."}`))
		return
	}
	h.log().InfoContext(ctx, "mattermost: incident declared", "incident", inc.Ref(), "user", name)
	mmAnswer(w, "in_channel", fmt.Sprintf("**%[1]s declared** · **%[1]s 장애 선언** (%[2]s, %[3]s) by %[4]s\n> %[5]s\n"+
		"The people the policy names are being told. · 정책에 따라 전파 대상에게 알리는 중입니다.",
		inc.Ref(), inc.Grade, mdText(dc.Service), mdText(name), mdText(inc.Title)))
}

// mattermostUser is the Firebreak user a Mattermost user acts as: the
// users map, else the Mattermost username. When there is none, or it
// cannot be read, refusal is the answer for the person.
func (h *Handler) mattermostUser(ctx context.Context, userID, userName string) (user auth.User, name, refusal string) {
	name, ok := h.Rooms.Config.Mattermost.MattermostUser(userID)
	if !ok {
		name = userName
	}
	if name == "" && userID != "" && h.Rooms.Mattermost != nil {
		name = h.Rooms.Mattermost.Username(ctx, userID) // a dialog's submission names the user by id only
	}
	user, err := h.Users.UserByName(ctx, name)
	if err != nil {
		return auth.User{}, name, h.userRefusal(ctx, mattermostAccount, name, err)
	}
	return user, name, ""
}

// mdText keeps what people typed from being read as Mattermost Markdown.
func mdText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "\n", " ").Replace(s)
}
