package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
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

// TestFlagsDoNotLeakRestrictedIncident: a switch flipped during the
// restricted incident shows that incident's reference only to those who
// may see it, in the API and on the web pages.
func TestFlagsDoNotLeakRestrictedIncident(t *testing.T) {
	f := startFixture(t, testutil.SQLiteURL(t))
	ref := f.incident[incident.Restricted]
	matrixFlag("")(f, "")
	if _, _, err := f.srv.Flags.Flip(context.Background(), f.admin(t), "matrix-switch",
		flag.FlipRequest{To: "off", Reason: "during the restricted one", Incident: ref}); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/v1/flags", "/api/v1/flags?service=checkout-api", "/api/v1/flags/matrix-switch", "/flags", "/flags/matrix-switch"}
	for _, c := range []caller{viewer, payResponder, otherTeam, orgResponder, payBot, member, admin} {
		var session *http.Client
		for _, p := range paths {
			var body string
			if strings.HasPrefix(p, "/api/") {
				r := f.call(t, c, "GET", p, nil)
				if r.status != 200 {
					t.Fatalf("%s as %s: %d %s", p, c, r.status, r.body)
				}
				body = r.body
			} else {
				if c == payBot {
					continue // a token signs no one in to the web
				}
				if session == nil {
					session = f.browser(t, c)
				}
				resp, err := session.Get(f.base + p)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
			}
			mayKnow := c == admin || c == member
			if shown := strings.Contains(body, ref); shown != mayKnow {
				t.Errorf("%s as %s: %s shown = %v, want %v", p, c, ref, shown, mayKnow)
			}
		}
	}
}
