package slack

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// declare handles `/incident declare <grade> <service> <title>`: the
// incident is registered (and its targets told) in one step, and the
// channel sees it.
func (h *handler) declare(w http.ResponseWriter, r *http.Request, f url.Values, cmd, text string) {
	help := fmt.Sprintf("*Usage* · *사용법*: `%[1]s declare <SEV1-SEV5> <service> <title>`\n"+
		"e.g. `%[1]s declare sev2 payments 카드 결제 실패`", cmd)
	if h.incidents == nil {
		ephemeral(w, http.StatusOK, fmt.Sprintf(
			"Declaring from chat is not set up on this server. Use the web UI or `firebreak incident declare`.\n"+
				"이 서버에서는 채팅으로 장애를 선언할 수 없습니다. 웹 화면이나 `firebreak incident declare`를 이용하세요.\n%s", help))
		return
	}
	gradeWord, rest := splitWord(text)
	service, title := splitWord(rest)
	grade, err := incident.ParseGrade(gradeWord)
	switch {
	case gradeWord == "" || service == "" || title == "":
		ephemeral(w, http.StatusOK, help)
		return
	case err != nil:
		ephemeral(w, http.StatusOK, fmt.Sprintf("%q: %v\n%s", gradeWord, err, help))
		return
	}
	name := f.Get("user_name")
	user, ok := h.chatUser(w, r, name)
	if !ok {
		return
	}
	inc, err := h.incidents.Declare(r.Context(), user, incident.Declaration{
		Title: intake.ClipRunes(title, maxTitle), Summary: title, Grade: grade, Services: []string{service}, Source: "slack",
		Labels: map[string]string{"channel": f.Get("channel_name")},
	})
	if err != nil {
		var e *fail.Error
		if errors.As(err, &e) && e.Code != fail.Internal {
			msg := e.Message
			if strings.HasPrefix(e.Field, "services") {
				msg = fmt.Sprintf("unknown service %q · 알 수 없는 서비스입니다", service)
			}
			ephemeral(w, http.StatusOK, "Not declared · 선언하지 못했습니다: "+escape(msg)+"\n"+help)
			return
		}
		h.log.ErrorContext(r.Context(), "slack: declare", "user", name, "err", err)
		ephemeral(w, http.StatusServiceUnavailable, "Sorry, the incident could not be declared. Please try again.\n"+
			"죄송합니다. 장애를 선언하지 못했습니다. 다시 시도해 주세요.")
		return
	}
	h.log.InfoContext(r.Context(), "slack: incident declared", "incident", inc.Ref(), "user", name)
	inChannel(w, fmt.Sprintf("*%[1]s declared* · *%[1]s 장애 선언* (%[2]s, %[3]s) by %[4]s\n> %[5]s\n"+
		"The people the policy names are being told. · 정책에 따라 전파 대상에게 알리는 중입니다.",
		inc.Ref(), inc.Grade, escape(service), escape(name), escape(inc.Title)))
}

// inChannel answers with a message everyone in the channel sees.
func inChannel(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, `{"response_type":"in_channel","text":%q}`, text)
}
