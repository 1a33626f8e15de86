package web_test

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// matrixFlag makes sure the matrix's switch on checkout-api (owned by
// payments) exists, and returns its path with suffix.
func matrixFlag(suffix string) func(*fixture, incident.Visibility) string {
	return func(f *fixture, _ incident.Visibility) string {
		_, err := f.srv.Flags.Create(context.Background(), auth.User{Name: "admin", Role: auth.Admin},
			flag.Definition{Key: "matrix-switch", Service: "checkout-api"})
		if err != nil && fail.CodeOf(err) != fail.Conflict {
			panic(err)
		}
		return "/flags/matrix-switch" + suffix
	}
}

// payFlags: who changes the switches of checkout-api: the responders and
// managers of payments, its writing team token and admins.
var payFlags = signedIn(func(c caller, _ incident.Visibility) outcome {
	if is(c, payResponder, payManager, payBot, admin) {
		return allow
	}
	return deny
})

func init() {
	// Kill switches: everyone reads; the owning team's responders change
	// (a second create or flip to the same state is a 409, past the check).
	matrix["GET /flags"] = row{rule: anyReader}
	matrix["POST /flags"] = row{rule: payFlags, body: jsonBody(map[string]any{"key": "matrix-new", "service": "checkout-api"})}
	matrix["GET /flags/{key}"] = row{rule: anyReader, path: matrixFlag("")}
	matrix["PUT /flags/{key}"] = row{rule: payFlags, path: matrixFlag(""), body: jsonBody(map[string]any{"service": "checkout-api", "description": "matrix"})}
	matrix["POST /flags/{key}/flip"] = row{rule: payFlags, path: matrixFlag("/flip"), body: jsonBody(map[string]any{"to": "off", "reason": "matrix"})}
}
