package server

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// chatDeclarer declares incidents for chat users: the Firebreak user with the
// chat user's name declares, with that user's role.
type chatDeclarer struct {
	users     *store.Users
	incidents *incident.Service
}

func (c chatDeclarer) DeclareAs(ctx context.Context, name string, d incident.Declaration) (*incident.Incident, error) {
	u, err := c.users.UserByName(ctx, name)
	if err != nil {
		if e, ok := fail.As(err); ok && e.Code == fail.NotFound {
			return nil, fail.New(fail.Forbidden, "there is no Firebreak user named %q; an admin can add one with the responder role", name)
		}
		return nil, err
	}
	return c.incidents.Declare(ctx, u, d)
}
