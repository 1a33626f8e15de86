package chat

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// A war room summary carries the same buttons on Slack and on Mattermost;
// this file does what they ask, so that a press does the same on both. Each
// chat's handler reads its own request shape and answers in its own way.

const tryAgain = "Sorry, that could not be done right now. Please try again in a moment. · 죄송합니다. 지금은 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."

// press does the war room action (warroom.ActionAck, …) on incident id as
// user; choice is the menu's pick (a status, grade or role). It returns
// what to tell the person: "" when it was done, else why not. known is
// false for an action it does not do, which each chat treats in its own way.
func (h *Handler) press(ctx context.Context, chat string, user auth.User, action string, id int64, choice string) (reply string, known bool) {
	var err error
	switch action {
	case warroom.ActionAck:
		var inc *incident.Incident
		if inc, err = h.Incidents.Get(ctx, user, id); err == nil {
			if holder := inc.Roles[incident.Resolver]; holder != "" {
				return fmt.Sprintf("%[1]s is already being handled by %[2]s. · %[1]s 장애는 이미 %[2]s 님이 대응 중입니다.", inc.Ref(), holder), true
			}
			_, err = h.Incidents.Assign(ctx, user, id, incident.Resolver, user.Name)
		}
	case warroom.ActionStatus:
		_, err = h.Incidents.SetStatus(ctx, user, id, incident.Status(choice), "")
	case warroom.ActionGrade:
		var g incident.Grade
		if g, err = incident.ParseGrade(choice); err == nil {
			_, err = h.Incidents.Update(ctx, user, id, incident.Patch{Grade: &g})
		} else {
			err = fail.Field("grade", "%v", err)
		}
	case warroom.ActionTakeRole:
		_, err = h.Incidents.Assign(ctx, user, id, incident.Role(choice), user.Name)
	default:
		return "", false
	}
	if err != nil {
		return h.refusal(ctx, chat, id, err), true
	}
	return "", true
}

// refusal is why an action on incident id was not done: the same reason the
// web gives (no right, a transition that is not allowed, …), or, for an
// internal error, which is logged, a plea to try again.
func (h *Handler) refusal(ctx context.Context, chat string, id int64, err error) string {
	e, ok := fail.As(err)
	if !ok || e.Code == fail.Internal {
		h.log().ErrorContext(ctx, chat+": button", "incident", id, "err", err)
		return tryAgain
	}
	return fmt.Sprintf("Not done on %[1]s · %[1]s 에서 처리하지 못했습니다: %[2]s", incident.FormatRef(id), e.Error())
}

// chatAccount names a chat and the config key that maps its user ids to
// Firebreak users, for the answer to a person who is not one.
type chatAccount struct{ chat, label, usersKey string }

var (
	slackAccount      = chatAccount{"slack", "Slack", "war_room.slack_users"}
	mattermostAccount = chatAccount{"mattermost", "Mattermost", "war_room.mattermost.users"}
)

// unknownUser tells a person that their chat account name is no Firebreak user.
func (a chatAccount) unknownUser(name string) string {
	return fmt.Sprintf("Your %[2]s account (%[1]s) is not a Firebreak user; ask an admin to add it or map it under %[3]s.\n"+
		"%[2]s 계정(%[1]s)에 해당하는 Firebreak 사용자가 없습니다. 관리자에게 추가하거나 %[3]s 에 연결해 달라고 요청하세요.", name, a.label, a.usersKey)
}

// userRefusal is what to tell a person whose Firebreak user, name, could
// not be found: that it does not exist, or (logged) to try again.
func (h *Handler) userRefusal(ctx context.Context, a chatAccount, name string, err error) string {
	if fail.CodeOf(err) != fail.NotFound {
		h.log().ErrorContext(ctx, a.chat+": find user", "user", name, "err", err)
		return tryAgain
	}
	return a.unknownUser(name)
}
