package hooks

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
)

// DeniedDetail is the one answer every intake hook gives to a request whose
// credentials are missing, malformed or wrong. The three cases look alike
// on the wire (same status, body and headers) so that a prober learns
// nothing about which part was off; the reason goes to the log only.
const DeniedDetail = "missing, malformed or wrong credentials"

// deny answers a request that failed authentication.
func deny(w http.ResponseWriter, r *http.Request, log *slog.Logger, source string, reason error) {
	if log != nil {
		log.WarnContext(r.Context(), "intake hook: refused credentials", "source", source, "remote", r.RemoteAddr, "reason", reason)
	}
	problem(w, http.StatusUnauthorized, "", DeniedDetail)
}

// sameSecret compares two secrets in time that depends on neither their
// contents nor their lengths: subtle.ConstantTimeCompare returns at once
// when the lengths differ, which would tell a prober the secret's length,
// so the fixed-size digests are compared instead.
func sameSecret(got, want string) bool {
	g := sha256.Sum256([]byte(got))
	w := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && want != ""
}

// absentToken stands in for a missing or malformed bearer token in the API
// token lookup, so that such a request does the database round trip a
// wrong token does. It has the form of a token but, carrying no random
// part, is never issued.
const absentToken = "fbt_0000000000000000000000000000000000000000"
