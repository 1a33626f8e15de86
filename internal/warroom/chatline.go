package warroom

import (
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// ChatLine is what the room is told of a timeline event, in English and
// Korean, and whether it is told at all: status, grade and role changes,
// updates, failed deliveries, playbook actions and kill-switch flips. A
// failed post to the room itself is not told there (it would fail again,
// and tell of that, without end), nor is what came from the room.
func ChatLine(ev incident.Event, room *Room) (string, bool) {
	s := func(k string) string {
		if v, ok := ev.Data[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	label := func() string {
		return "*" + eventtext.Label(ev.Kind, "en") + " · " + eventtext.Label(ev.Kind, "ko") + "*"
	}
	by := ""
	if ev.Actor != "" && ev.Actor != chatActor {
		by = " — " + escape(ev.Actor)
	}
	var detail string
	switch ev.Kind {
	case incident.EventStatusChanged:
		from, to := incident.Status(s("from")), incident.Status(s("to"))
		detail = statusText(from) + " → " + statusText(to)
		if m := s("message"); m != "" {
			detail += "\n> " + quote(m)
		}
	case incident.EventGradeChanged:
		detail = s("from") + " → " + s("to")
	case incident.EventRoleAssigned:
		role := s("role")
		words := map[string]string{"resolver": "Resolver · 해결 담당", "communicator": "Communicator · 전파 담당"}[role]
		if words == "" {
			words = role
		}
		if u := s("user"); u != "" {
			detail = escape(u) + ": " + words
		} else {
			detail = words + " — nobody · 지정 해제"
		}
	case incident.EventStatusUpdate:
		detail = "> " + quote(s("text"))
	case incident.EventRoleWarning:
		detail = escape(s("message"))
	case "message_failed":
		if s("to") == room.ChannelID {
			return "", false
		}
		detail = escape(s("channel")+" "+s("target")) + ": " + escape(s("reason"))
	case "playbook_action_started", "playbook_action_succeeded", "playbook_action_failed", "playbook_action_unknown":
		detail = escape(s("service") + " · " + s("title"))
		if e := s("error"); e != "" {
			detail += ": " + escape(e)
		}
	case "flag_flipped":
		detail = fmt.Sprintf("`%s` %s → %s", escape(s("key")), escape(orDefault(s("from"))), escape(orDefault(s("to"))))
		if r := s("reason"); r != "" {
			detail += "\n> " + quote(r)
		}
	case "mitigated":
		detail = s("at")
	default:
		return "", false
	}
	return label() + by + "\n" + detail, true
}

func orDefault(v string) string {
	if v == "" {
		return "default · 기본값"
	}
	return v
}

// quote keeps a multi-line text inside a Slack quote.
func quote(s string) string { return strings.ReplaceAll(escape(s), "\n", "\n> ") }
