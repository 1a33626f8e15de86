package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Live views read the database rather than listen to this process: any
// replica may have made the change, and all state lives in the database.
// On PostgreSQL a notice from the database (LiveWake) tells them when to
// read; they also read every LivePoll in case a notice was lost.

// liveWakeGap is how long a woken live view waits before it reads, so
// that the rows of one burst are read together.
const liveWakeGap = 50 * time.Millisecond

// heartbeatEvery keeps proxies from closing an idle stream.
const heartbeatEvery = 15 * time.Second

// sse starts a server-sent event stream, or reports that it cannot.
func sse(w http.ResponseWriter) (send func(event, id, data string) error, ok bool) {
	rc := http.NewResponseController(w) // reaches the Flusher through middleware wrappers
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, false
	}
	return func(event, id, data string) error {
		var b strings.Builder
		if event != "" {
			fmt.Fprintf(&b, "event: %s\n", event)
		}
		if id != "" {
			fmt.Fprintf(&b, "id: %s\n", id)
		}
		for _, line := range strings.Split(data, "\n") {
			fmt.Fprintf(&b, "data: %s\n", line)
		}
		b.WriteString("\n")
		if _, err := w.Write([]byte(b.String())); err != nil {
			return err
		}
		return rc.Flush()
	}, true
}

// incidentLive streams new timeline rows and, when the incident itself
// changes, its re-rendered header.
func (u *UI) incidentLive(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := incident.ParseRef(r.PathValue("ref"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	inc, err := u.Incidents.Get(r.Context(), v.User, id)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if last := r.Header.Get("Last-Event-ID"); last != "" { // a reconnect resumes where it left off
		after, _ = strconv.ParseInt(last, 10, 64)
	}
	send, ok := sse(w)
	if !ok {
		return
	}
	seen := inc.UpdatedAt
	tick := time.NewTicker(u.LivePoll)
	defer tick.Stop()
	lastSent := time.Now()
	wake := u.LiveWake.C()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		case <-wake:
			// A storm of timeline rows wakes every view many times a
			// second; reading at most every liveWakeGap keeps that cheap.
			select {
			case <-r.Context().Done():
				return
			case <-time.After(liveWakeGap):
			}
		}
		// Taken before the read, so a row written during it wakes the next.
		wake = u.LiveWake.C()
		events, err := u.Incidents.Timeline(r.Context(), v.User, id, after, 100)
		if err != nil {
			return // gone or no longer visible: end the stream
		}
		for _, ev := range events {
			row, err := u.fragment("timeline_row", v, ev)
			if err != nil || send("timeline", strconv.FormatInt(ev.ID, 10), row) != nil {
				return
			}
			after, lastSent = ev.ID, time.Now()
		}
		if len(events) > 0 {
			if inc, err = u.Incidents.Get(r.Context(), v.User, id); err != nil {
				return
			}
			if !inc.UpdatedAt.Equal(seen) {
				seen = inc.UpdatedAt
				head, err := u.fragment("incident_header", v, incidentPage{Inc: inc})
				if err != nil || send("header", "", head) != nil {
					return
				}
			}
			if panel, ok, err := u.liveSwitches(r.Context(), v, inc, events); err != nil || (ok && send("switches", "", panel) != nil) {
				return
			}
		}
		if time.Since(lastSent) > heartbeatEvery {
			if send("keep-alive", "", "") != nil {
				return
			}
			lastSent = time.Now()
		}
	}
}

// listPoll is how often an open list checks for changes; a list is less
// urgent than an incident's timeline.
const listPoll = 3

// listLive tells an open incident list that its first page changed; the
// script then reloads the rows.
func (u *UI) listLive(w http.ResponseWriter, r *http.Request, v *view) {
	f := listFilter(r.URL.Query(), v)
	signature := func() (string, error) {
		page, err := u.Incidents.List(r.Context(), v.User, f, "")
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, inc := range page.Items {
			fmt.Fprintf(&b, "%d@%d;", inc.ID, inc.UpdatedAt.UnixNano())
		}
		return b.String(), nil
	}
	last, err := signature()
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	send, ok := sse(w)
	if !ok {
		return
	}
	tick := time.NewTicker(listPoll * u.LivePoll)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		sig, err := signature()
		if err != nil {
			return
		}
		if sig != last {
			last = sig
			if send("changed", "", "1") != nil {
				return
			}
		}
	}
}
