// Package intake turns what arrives from monitoring, mail, chat and the public
// report form into signals: normalised, deduplicated by fingerprint, stored
// durably before anyone is told "accepted", and then routed by rule to an
// incident or to the triage inbox.
package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Status says whether the condition behind a signal still holds.
type Status string

// The signal statuses.
const (
	Firing   Status = "firing"
	Resolved Status = "resolved"
)

// Triage is where a signal stands in the triage inbox.
type Triage string

// The triage states. A signal that joined an incident by rule has none.
const (
	TriageNone      Triage = ""
	TriagePending   Triage = "pending"
	TriageDeclared  Triage = "declared"
	TriageMerged    Triage = "merged"
	TriageDismissed Triage = "dismissed"
)

// Signal is one alert, alarm mail or report, however often it repeats.
type Signal struct {
	ID          int64             `json:"id"`
	Source      string            `json:"source"` // alertmanager, grafana, generic, email, slack, form
	Fingerprint string            `json:"fingerprint"`
	Status      Status            `json:"status"`
	Title       string            `json:"title"`
	Summary     string            `json:"summary"`
	Labels      map[string]string `json:"labels"`
	Reporter    string            `json:"reporter,omitempty"` // who reported it, for chat and the form
	StartsAt    time.Time         `json:"starts_at"`
	ResolvedAt  *time.Time        `json:"resolved_at"`
	Count       int               `json:"count"`
	FirstSeen   time.Time         `json:"first_seen"`
	LastSeen    time.Time         `json:"last_seen"`
	// Set by routing.
	Routed       bool           `json:"routed"`
	Service      string         `json:"service,omitempty"`
	Grade        incident.Grade `json:"grade,omitempty"`
	GroupKey     string         `json:"group_key,omitempty"`
	IncidentID   int64          `json:"incident_id,omitempty"`
	Triage       Triage         `json:"triage,omitempty"`
	TriageReason string         `json:"triage_reason,omitempty"`
	// SuppressedBy names the maintenance window or silence that kept the
	// signal quiet ("MW-3", "SIL-4"): it is stored but joined nothing and
	// told no one. Its next firing after SuppressedUntil is routed afresh.
	SuppressedBy    string     `json:"suppressed_by,omitempty"`
	SuppressedUntil *time.Time `json:"suppressed_until,omitempty"`
}

// Fingerprint identifies a signal by the values of the given labels (all
// labels when keys is empty), so that repeats of one condition are one signal.
func Fingerprint(labels map[string]string, keys []string) string {
	if len(keys) == 0 {
		for k := range labels {
			keys = append(keys, k)
		}
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Limits on what one signal may carry; more is cut, not refused, because a
// monitoring system that sends long annotations must still be heard.
const (
	maxTitle  = 200
	maxText   = 4000
	maxLabels = 64
	maxLabel  = 256
)

// Normalise trims a signal to the limits and fills defaults.
func Normalise(s *Signal, now time.Time) {
	s.Title = clip(strings.TrimSpace(s.Title), maxTitle)
	s.Summary = clip(s.Summary, maxText)
	if s.Title == "" {
		s.Title = s.Labels["alertname"]
	}
	if s.Title == "" {
		s.Title = "Untitled " + s.Source + " signal"
	}
	labels := map[string]string{}
	for k, v := range s.Labels {
		if len(labels) == maxLabels {
			break
		}
		labels[clip(k, maxLabel)] = clip(v, maxLabel)
	}
	s.Labels = labels
	if s.Status == "" {
		s.Status = Firing
	}
	if s.StartsAt.IsZero() || s.StartsAt.After(now.Add(time.Minute)) {
		s.StartsAt = now
	}
	s.StartsAt = s.StartsAt.UTC()
	s.FirstSeen, s.LastSeen, s.Count = now, now, 1
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary: titles are often Korean.
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
