package maintenance

import (
	"context"
	"slices"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Store keeps windows and silences. Every create and end moves the change
// mark the caches of other replicas poll.
type Store interface {
	Loader
	CreateWindow(ctx context.Context, w *Window) error
	GetWindow(ctx context.Context, id int64) (Window, error)
	// ListWindows returns windows newest first, below the id before
	// (0: from the newest); ended ones too when all is set.
	ListWindows(ctx context.Context, all bool, before int64, limit int, at time.Time) ([]Window, error)
	// EndWindow ends a window early; ending one that is ended already is
	// a conflict. Signals it kept quiet are released at once, so their
	// next firing routes as usual.
	EndWindow(ctx context.Context, id int64, by string, at time.Time) (Window, error)
	CreateSilence(ctx context.Context, s *Silence) error
	GetSilence(ctx context.Context, id int64) (Silence, error)
	ListSilences(ctx context.Context, expired bool, before int64, limit int, at time.Time) ([]Silence, error)
	EndSilence(ctx context.Context, id int64, by string, at time.Time) (Silence, error)
}

// Service states who may plan maintenance and silence alerts.
type Service struct {
	Store Store
	Now   func() time.Time
	// ServiceExists and TeamOf consult the catalog; nil accepts any
	// service and gives none an owning team.
	ServiceExists func(string) bool
	TeamOf        func(service string) string
	// Changed is told after each create and end, so this process's cache
	// is fresh before the call returns.
	Changed func(ctx context.Context)
	// Signals lists the signals kept quiet; nil: none are listed.
	Signals interface {
		SuppressedSignals(ctx context.Context, before int64, limit int) ([]*intake.Signal, error)
		GetSignal(ctx context.Context, id int64) (*intake.Signal, error)
		// SuppressPending marks a signal still pending triage as kept
		// quiet by ref until until, taking it out of the inbox.
		SuppressPending(ctx context.Context, id int64, ref string, until time.Time) error
	}
}

// mayPlan checks that by may create or end a window over services:
// organisation admins, or a manager of every named service's owning team.
// A window of label matchers alone can cover any team's signals, so only
// admins create those.
func (s *Service) mayPlan(by auth.User, services []string) error {
	if !by.HasScope(auth.ScopeWrite) {
		return fail.New(fail.Forbidden, "maintenance windows need a token with the write scope")
	}
	if by.IsAdmin() {
		return nil
	}
	if len(services) == 0 {
		return fail.New(fail.Forbidden, "a window of label matchers alone needs the admin role; name a service your team owns")
	}
	for _, svc := range services {
		team := ""
		if s.TeamOf != nil {
			team = s.TeamOf(svc)
		}
		if team == "" || by.TeamRole(team) != auth.TeamManager {
			return fail.New(fail.Forbidden, "a maintenance window on %s needs the manager role of its team (or the admin role)", svc)
		}
	}
	return nil
}

// maySilence checks that by may create or end silences: anyone who may
// triage signals (a responder somewhere) with a write token.
func maySilence(by auth.User) error {
	if !by.RespondsAnywhere() || !by.HasScope(auth.ScopeWrite) {
		return fail.New(fail.Forbidden, "silences need the responder role in a team (and a token with the write scope)")
	}
	return nil
}

func (s *Service) changed(ctx context.Context) {
	if s.Changed != nil {
		s.Changed(ctx)
	}
}

// CreateWindow checks and stores a window.
func (s *Service) CreateWindow(ctx context.Context, by auth.User, w Window) (Window, error) {
	if err := s.mayPlan(by, w.Services); err != nil {
		return Window{}, err
	}
	if err := w.Check(s.ServiceExists); err != nil {
		return Window{}, err
	}
	now := s.Now().UTC()
	w.ID, w.EndedAt, w.EndedBy = 0, nil, ""
	w.StartsAt, w.EndsAt = w.StartsAt.UTC(), w.EndsAt.UTC()
	if w.Recurrence == nil && !w.EndsAt.After(now) {
		return Window{}, fail.Field("ends_at", "is in the past")
	}
	w.CreatedBy, w.CreatedAt = by.Name, now
	if w.Source == "" {
		w.Source = "api"
	}
	if err := s.Store.CreateWindow(ctx, &w); err != nil {
		return Window{}, err
	}
	s.changed(ctx)
	return w, nil
}

// ListWindows returns windows, newest first; ended and past ones too when all.
func (s *Service) ListWindows(ctx context.Context, all bool, before int64, limit int) ([]Window, error) {
	if limit <= 0 || limit > 200 {
		return nil, fail.Field("limit", "must be 1-200")
	}
	return s.Store.ListWindows(ctx, all, before, limit, s.Now().UTC())
}

// EndWindow ends a window now.
func (s *Service) EndWindow(ctx context.Context, by auth.User, id int64) (Window, error) {
	w, err := s.Store.GetWindow(ctx, id)
	if err != nil {
		return Window{}, err
	}
	if err := s.mayPlan(by, w.Services); err != nil {
		return Window{}, err
	}
	w, err = s.Store.EndWindow(ctx, id, by.Name, s.Now().UTC())
	if err != nil {
		return Window{}, err
	}
	s.changed(ctx)
	return w, nil
}

// SilenceInput is a silence as people ask for it: matchers, and either a
// duration from now or an explicit end.
type SilenceInput struct {
	Matchers []Matcher `json:"matchers"`
	Duration string    `json:"duration,omitempty"` // e.g. "2h"
	EndsAt   time.Time `json:"ends_at,omitzero"`
	Comment  string    `json:"comment"`
	SignalID int64     `json:"signal_id,omitempty"`
}

// CreateSilence checks and stores a silence that starts now.
func (s *Service) CreateSilence(ctx context.Context, by auth.User, in SilenceInput) (Silence, error) {
	if err := maySilence(by); err != nil {
		return Silence{}, err
	}
	now := s.Now().UTC()
	sil := Silence{Matchers: in.Matchers, StartsAt: now, EndsAt: in.EndsAt.UTC(), Comment: in.Comment, SignalID: in.SignalID,
		CreatedBy: by.Name, CreatedAt: now}
	if in.Duration != "" {
		d, err := time.ParseDuration(in.Duration)
		if err != nil || d <= 0 {
			return Silence{}, fail.Field("duration", "%q must be a duration such as 2h", in.Duration)
		}
		sil.EndsAt = now.Add(d)
	} else if in.EndsAt.IsZero() {
		return Silence{}, fail.Field("duration", "give a duration (e.g. 2h) or ends_at")
	}
	if err := sil.Check(); err != nil {
		return Silence{}, err
	}
	if err := s.Store.CreateSilence(ctx, &sil); err != nil {
		return Silence{}, err
	}
	s.changed(ctx)
	if err := s.quietSource(ctx, sil); err != nil {
		return sil, err
	}
	return sil, nil
}

// ListSilences returns active silences, or expired and ended ones, newest first.
func (s *Service) ListSilences(ctx context.Context, expired bool, before int64, limit int) ([]Silence, error) {
	if limit <= 0 || limit > 200 {
		return nil, fail.Field("limit", "must be 1-200")
	}
	return s.Store.ListSilences(ctx, expired, before, limit, s.Now().UTC())
}

// EndSilence ends a silence now.
func (s *Service) EndSilence(ctx context.Context, by auth.User, id int64) (Silence, error) {
	if err := maySilence(by); err != nil {
		return Silence{}, err
	}
	sil, err := s.Store.EndSilence(ctx, id, by.Name, s.Now().UTC())
	if err != nil {
		return Silence{}, err
	}
	s.changed(ctx)
	return sil, nil
}

// ActiveFor returns the windows active now that cover any of the
// services, for the declare preview.
func (s *Service) ActiveFor(ctx context.Context, services []string) ([]Window, error) {
	now := s.Now().UTC()
	ws, err := s.Store.ActiveWindows(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []Window
	for _, w := range ws {
		if _, ok := w.ActiveAt(now); !ok {
			continue
		}
		for _, svc := range services {
			if w.Covers(svc, map[string]string{"service": svc}) || (len(w.Services) > 0 && containsService(w, svc)) {
				out = append(out, w)
				break
			}
		}
	}
	return out, nil
}

// containsService reports whether the window names svc, whatever its matchers.
func containsService(w Window, svc string) bool {
	for _, s := range w.Services {
		if s == svc {
			return true
		}
	}
	return false
}

// WindowInput is a window as people give it through the API, the CLI and
// the UI.
type WindowInput struct {
	Title      string      `json:"title"`
	Reason     string      `json:"reason"`
	Services   []string    `json:"services"`
	Matchers   []Matcher   `json:"matchers"`
	StartsAt   time.Time   `json:"starts_at,omitzero"`
	EndsAt     time.Time   `json:"ends_at,omitzero"`
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	Public     bool        `json:"public"`
}

// Window returns the input as a window made through source.
func (in WindowInput) Window(source string) Window {
	return Window{Title: in.Title, Reason: in.Reason, Services: in.Services, Matchers: in.Matchers, StartsAt: in.StartsAt,
		EndsAt: in.EndsAt, Recurrence: in.Recurrence, Public: in.Public, Source: source}
}

// GetWindow returns one window.
func (s *Service) GetWindow(ctx context.Context, id int64) (Window, error) {
	return s.Store.GetWindow(ctx, id)
}

// SuppressedSignals returns the signals windows and silences kept quiet,
// newest first.
func (s *Service) SuppressedSignals(ctx context.Context, before int64, limit int) ([]*intake.Signal, error) {
	if s.Signals == nil {
		return []*intake.Signal{}, nil
	}
	sigs, err := s.Signals.SuppressedSignals(ctx, before, limit)
	if sigs == nil {
		sigs = []*intake.Signal{}
	}
	return sigs, err
}

// ConfigActor is who the config file's windows are created by.
const ConfigActor = "config"

// SyncConfig stores the config file's windows that are not stored yet
// (matched by title and times), so a restart does not repeat them.
// Windows removed from the file stay until ended, as planned work that
// someone may be relying on.
func (s *Service) SyncConfig(ctx context.Context, ins []WindowInput) error {
	if len(ins) == 0 {
		return nil
	}
	have, err := s.Store.ListWindows(ctx, true, 0, 200, s.Now().UTC())
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	changed := false
	for _, in := range ins {
		w := in.Window(ConfigActor)
		if slices.ContainsFunc(have, func(h Window) bool { return h.Source == ConfigActor && sameWindow(h, w) }) {
			continue
		}
		if err := w.Check(s.ServiceExists); err != nil {
			return err
		}
		if w.Recurrence == nil && !w.EndsAt.After(now) {
			continue // past: nothing to keep quiet
		}
		w.StartsAt, w.EndsAt = w.StartsAt.UTC(), w.EndsAt.UTC()
		w.CreatedBy, w.CreatedAt = ConfigActor, now
		if err := s.Store.CreateWindow(ctx, &w); err != nil {
			return err
		}
		changed = true
	}
	if changed {
		s.changed(ctx)
	}
	return nil
}

func sameWindow(a, b Window) bool {
	return a.Title == b.Title && a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt) &&
		(a.Recurrence == nil) == (b.Recurrence == nil) &&
		(a.Recurrence == nil || (a.Recurrence.At == b.Recurrence.At && a.Recurrence.Zone == b.Recurrence.Zone &&
			a.Recurrence.Duration == b.Recurrence.Duration && slices.Equal(a.Recurrence.Weekdays, b.Recurrence.Weekdays)))
}

// quietSource takes the triage signal a silence was made from out of the
// inbox, marked with the silence, when the silence matches it: whoever
// silenced it has triaged it.
func (s *Service) quietSource(ctx context.Context, sil Silence) error {
	if sil.SignalID == 0 || s.Signals == nil {
		return nil
	}
	sig, err := s.Signals.GetSignal(ctx, sil.SignalID)
	if fail.CodeOf(err) == fail.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if sig.Triage != intake.TriagePending || !matchAll(sil.Matchers, sig.Labels) {
		return nil
	}
	return s.Signals.SuppressPending(ctx, sig.ID, sil.Ref(), sil.EndsAt)
}
