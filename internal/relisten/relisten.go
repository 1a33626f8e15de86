// Package relisten keeps a LISTEN connection (or any long wait on the
// database) going across drops, with a bounded backoff.
package relisten

import (
	"context"
	"time"
)

// Keep runs listen until ctx ends, and again each time it drops
// (the database restarted, the connection broke): after 1 s, doubling up to
// maxWait, and from 1 s again once a listen has reported itself ready.
// dropped, when set, hears each drop and the wait before the next try.
func Keep(ctx context.Context, maxWait time.Duration, dropped func(err error, wait time.Duration),
	listen func(ctx context.Context, ready func()) error) {
	wait := time.Second
	for ctx.Err() == nil {
		err := listen(ctx, func() { wait = time.Second })
		if ctx.Err() != nil {
			return
		}
		if dropped != nil {
			dropped(err, wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, maxWait)
	}
}
