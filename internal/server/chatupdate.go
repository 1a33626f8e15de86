package server

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// chatUpdater posts status updates for chat users: the Firebreak user with
// the chat user's name posts, with that user's role.
type chatUpdater struct {
	users     *store.Users
	incidents *incident.Service
}

func (c chatUpdater) UpdateAs(ctx context.Context, name string, id int64, u incident.StatusUpdate) (incident.Event, error) {
	user, err := c.users.UserByName(ctx, name)
	if err != nil {
		if e, ok := fail.As(err); ok && e.Code == fail.NotFound {
			return incident.Event{}, fail.New(fail.Forbidden, "there is no Firebreak user named %q; an admin can add one with the responder role", name)
		}
		return incident.Event{}, err
	}
	return c.incidents.PostUpdate(ctx, user, id, u)
}
