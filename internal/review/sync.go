package review

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// IssueTracker files action items as issues in an outside tracker and
// reads and sets their status. Implementations live in review/tracker.
type IssueTracker interface {
	// Create files the item and returns the issue's key, web URL and state.
	// The issue carries the item's label (ItemLabel), so Find can tell
	// whether an earlier try filed it already.
	Create(ctx context.Context, it *ActionItem, incidentRef string) (key, url, state string, err error)
	// Find returns the issue filed for the item, if any (key "" if none).
	Find(ctx context.Context, itemID int64) (key, url, state string, err error)
	// State reads the issue's status and how it is closed: "" while open,
	// ItemDone, or ItemDropped where the tracker says the work will not be
	// done (GitHub's not planned).
	State(ctx context.Context, key string) (state string, closed ItemStatus, err error)
	// SetStatus closes the issue for a done or dropped item (telling the
	// two apart where the tracker can), or reopens it for an open one.
	SetStatus(ctx context.Context, key string, status ItemStatus) (state string, err error)
}

// Syncer carries action items to their trackers and back. Its methods run
// inside queue jobs: an error makes the job retry with backoff, and the
// error is kept on the item so people see why its link is missing.
type Syncer struct {
	Service  *Service
	Trackers map[Tracker]IssueTracker
}

// ItemLabel is the label that ties an issue to its action item.
func ItemLabel(itemID int64) string { return "firebreak-item-" + strconv.FormatInt(itemID, 10) }

// ErrNoTracker is returned for items of a tracker that is not configured.
var ErrNoTracker = errors.New("tracker not configured")

func (y *Syncer) tracker(t Tracker) (IssueTracker, error) {
	tr, ok := y.Trackers[t]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoTracker, t)
	}
	return tr, nil
}

// Create files the item's issue unless it has one already, then passes on a
// status the item reached meanwhile.
func (y *Syncer) Create(ctx context.Context, itemID int64) error {
	st := y.Service.store
	it, err := st.GetItem(ctx, itemID)
	if err != nil || it.Link.Tracker == "" || it.Link.Key != "" {
		return err
	}
	tr, err := y.tracker(it.Link.Tracker)
	if err != nil {
		return y.failed(ctx, it, err)
	}
	// A try that filed the issue but could not store its key must not file
	// a second one: look for the item's label first.
	key, url, state, err := tr.Find(ctx, it.ID)
	if err == nil && key == "" {
		key, url, state, err = tr.Create(ctx, it, incident.FormatRef(it.IncidentID))
	}
	if err != nil {
		return y.failed(ctx, it, err)
	}
	now := y.Service.now().UTC()
	link := TrackerLink{Tracker: it.Link.Tracker, Key: key, URL: url, State: state, SyncedAt: &now}
	ev := incident.Event{Kind: EventItemLinked, Actor: string(it.Link.Tracker), At: now, IncidentID: it.IncidentID,
		Data: map[string]any{"item": it.ID, "item_title": it.Title, "tracker": string(it.Link.Tracker), "key": key, "url": url}}
	if err := st.SetTrackerLink(ctx, it.ID, link, &ev); err != nil {
		return err
	}
	if it.Status.Closed() || it.Link.Pending > 0 {
		link.Pending = it.Link.Pending
		it.Link = link
		return y.push(ctx, tr, it)
	}
	return nil
}

// Push sets the issue's status to match the item's.
func (y *Syncer) Push(ctx context.Context, itemID int64) error {
	it, err := y.Service.store.GetItem(ctx, itemID)
	if err != nil || it.Link.Tracker == "" {
		return err
	}
	if it.Link.Key == "" {
		return y.Create(ctx, itemID) // Create passes the status on too
	}
	tr, err := y.tracker(it.Link.Tracker)
	if err != nil {
		return y.failed(ctx, it, err)
	}
	return y.push(ctx, tr, it)
}

func (y *Syncer) push(ctx context.Context, tr IssueTracker, it *ActionItem) error {
	state, err := tr.SetStatus(ctx, it.Link.Key, it.Status)
	if err != nil {
		return y.failed(ctx, it, err)
	}
	now := y.Service.now().UTC()
	link := it.Link
	link.State, link.Error, link.SyncedAt = state, "", &now
	return y.Service.store.Pushed(ctx, it.ID, link, it.Link.Pending)
}

// failed keeps the error on the item and returns it, so the job retries.
func (y *Syncer) failed(ctx context.Context, it *ActionItem, cause error) error {
	link := it.Link
	link.Error = cause.Error()
	if err := y.Service.store.SetTrackerLink(ctx, it.ID, link, nil); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// pollBatch bounds one poll; items are polled least recently synced first.
const pollBatch = 200

// Poll reads the status of linked issues and applies changes a webhook
// may have missed. It returns how many items changed. Items with a status
// change still to be pushed are left out: their tracker's status is older
// than theirs, and the push job will set it.
func (y *Syncer) Poll(ctx context.Context) (int, error) {
	changed := 0
	var errs []error
	for t, tr := range y.Trackers {
		items, err := y.Service.store.ListItems(ctx, ItemFilter{Tracker: t, Limit: pollBatch,
			Statuses: []ItemStatus{ItemOpen, ItemInProgress, ItemDone, ItemDropped}})
		if err != nil {
			return changed, err
		}
		for _, it := range items {
			if it.Link.Key == "" || it.Link.Pending > 0 {
				continue
			}
			state, closed, err := tr.State(ctx, it.Link.Key)
			if err != nil {
				errs = append(errs, y.failed(ctx, it, err))
				continue
			}
			before := it.Status
			after, err := y.Service.ApplyTrackerState(ctx, t, it.Link.Key, state, closed)
			if err != nil {
				return changed, err
			}
			if after.Status != before {
				changed++
			}
		}
	}
	return changed, errors.Join(errs...)
}
