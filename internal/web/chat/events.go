package chat

import (
	"encoding/json"
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// eventEnvelope is the part of an Events API request Firebreak reads.
type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	Event     struct {
		Type     string `json:"type"`
		Subtype  string `json:"subtype"`
		User     string `json:"user"`
		Reaction string `json:"reaction"`
		Item     struct {
			Type    string `json:"type"`
			Channel string `json:"channel"`
			TS      string `json:"ts"`
		} `json:"item"`
		Channel   string `json:"channel"`
		DeletedTS string `json:"deleted_ts"`
		Message   struct {
			TS       string `json:"ts"`
			Text     string `json:"text"`
			ThreadTS string `json:"thread_ts"`
		} `json:"message"`
		PreviousMessage struct {
			TS string `json:"ts"`
		} `json:"previous_message"`
	} `json:"event"`
}

// events takes Slack's Events API deliveries. It answers 2xx only once
// what the event asks is stored (a copy job queued, an edit recorded);
// otherwise Slack delivers it again, and every step is idempotent.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verified(w, r)
	if !ok {
		return
	}
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		problem(w, http.StatusBadRequest, "body: not a JSON event")
		return
	}
	switch env.Type {
	case "url_verification":
		writeJSON(w, map[string]string{"challenge": env.Challenge})
		return
	case "event_callback":
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	ev := env.Event
	ctx := r.Context()
	var err error
	switch {
	case ev.Type == "reaction_added" && ev.Item.Type == "message" && ev.Reaction == h.Rooms.Config.PinEmoji:
		var room bool
		if _, room, err = h.Rooms.IncidentOfChannel(ctx, ev.Item.Channel); err == nil && room {
			_, err = h.Queue.Insert(ctx, warroom.CopyArgs{ChannelID: ev.Item.Channel, TS: ev.Item.TS, MarkedBy: ev.User}, nil)
		}
	case ev.Type == "message" && ev.Subtype == "message_changed":
		_, err = h.Rooms.Follow(ctx, ev.Channel, ev.Message.TS, ev.Message.Text, false)
	case ev.Type == "message" && ev.Subtype == "message_deleted":
		ts := ev.DeletedTS
		if ts == "" {
			ts = ev.PreviousMessage.TS
		}
		_, err = h.Rooms.Follow(ctx, ev.Channel, ts, "", true)
	}
	if err != nil {
		h.log().ErrorContext(ctx, "slack: event", "type", ev.Type, "subtype", ev.Subtype, "err", err)
		problem(w, http.StatusServiceUnavailable, "could not record the event; Slack will deliver it again")
		return
	}
	w.WriteHeader(http.StatusOK)
}
