package testutil

import (
	"context"
	"sync"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Acceptor stands in for the intake core in a source's tests (the form,
// Slack): it keeps the signals it is handed, numbered from FirstID+1, or
// refuses them all while Refuse has set an error.
type Acceptor struct {
	FirstID int64

	mu   sync.Mutex
	fail error
	got  []*intake.Signal
}

// Accept keeps sigs, giving each the next id, or returns the refusal.
func (a *Acceptor) Accept(_ context.Context, sigs []*intake.Signal, _ []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	for _, s := range sigs {
		s.ID = a.FirstID + int64(len(a.got)) + 1
		a.got = append(a.got, s)
	}
	return nil
}

// Refuse makes Accept return err from now on; nil accepts again.
func (a *Acceptor) Refuse(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = err
}

// Signals returns the signals kept so far, in order.
func (a *Acceptor) Signals() []*intake.Signal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*intake.Signal(nil), a.got...)
}
