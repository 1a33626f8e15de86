// Package ofrep serves kill switches over the OpenFeature Remote Evaluation
// Protocol (github.com/open-feature/protocol, service/openapi.yaml), so an
// application using any OpenFeature SDK with the OFREP provider reads them
// without Firebreak-specific code. Evaluation answers from the in-memory
// snapshot (flag.Served) and tokens from a short-lived cache: neither waits
// for the database, so switches keep being served while it is slow or down.
package ofrep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
)

// Prefix is where the protocol is mounted.
const Prefix = "/ofrep/v1"

// MaxBody bounds a request body. An evaluation context is a few hundred
// bytes; a larger body is refused as a parse error before it is read
// further.
const MaxBody = 1 << 20

// Authenticator turns a token secret into a user.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.User, error)
}

// Handler answers the OFREP endpoints.
type Handler struct {
	Served *flag.Served
	Tokens *TokenCache
	Log    *slog.Logger
}

// Register adds the endpoints to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST "+Prefix+"/evaluate/flags/{key}", h.guard(h.evaluateOne))
	mux.Handle("POST "+Prefix+"/evaluate/flags", h.guard(h.evaluateAll))
	mux.Handle("GET "+Prefix+"/configuration", h.guard(h.configuration))
	// Browsers ask before sending a token across origins; web apps are
	// OFREP's main users.
	mux.HandleFunc("OPTIONS "+Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type, If-None-Match")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}

func cors(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "ETag")
}

// guard authenticates the request: a token with the flags:read scope (read
// and write include it), sent as "Authorization: Bearer" or "X-API-Key" as
// the providers do.
func (h *Handler) guard(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		secret := r.Header.Get("X-API-Key")
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secret = b
		}
		secret = strings.TrimSpace(secret)
		if secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak"`)
			writeJSON(w, http.StatusUnauthorized, general{"a token with the flags:read scope is required: send Authorization: Bearer <token> or X-API-Key"})
			return
		}
		u, err := h.Tokens.Authenticate(r.Context(), secret)
		switch {
		case fail.CodeOf(err) == fail.Unauthorized:
			w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, general{"invalid or expired token"})
			return
		case err != nil:
			h.Log.ErrorContext(r.Context(), "authenticate OFREP request", "err", err)
			writeJSON(w, http.StatusInternalServerError, general{"cannot check the token now; retry"})
			return
		case !u.HasScope(auth.ScopeFlagsRead):
			writeJSON(w, http.StatusForbidden, general{"this token may not read flags: it needs the flags:read scope"})
			return
		}
		next(w, r)
	})
}

// general is the protocol's body for errors that concern no flag.
type general struct {
	ErrorDetails string `json:"errorDetails"`
}

// success is one flag evaluated.
type success struct {
	Key      string   `json:"key"`
	Value    any      `json:"value"`
	Reason   string   `json:"reason"`
	Variant  string   `json:"variant,omitempty"`
	Metadata metadata `json:"metadata"`
}

// metadata tells the app (and its telemetry) whose switch it read.
type metadata struct {
	Service string `json:"service"`
	Version int64  `json:"version"`
}

// failure is one flag that could not be evaluated, or (Key empty) a whole
// request refused.
type failure struct {
	Key          string `json:"key,omitempty"`
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// request is an evaluation request. Other members are ignored, as later
// versions of the protocol may add some.
type request struct {
	Context json.RawMessage `json:"context"`
}

// readContext reads the body's evaluation context, or says what is wrong
// with it in the protocol's terms: PARSE_ERROR for what is not JSON (or too
// large), INVALID_CONTEXT for a context that is not an object or whose
// targetingKey is not a string.
func readContext(w http.ResponseWriter, r *http.Request) (flag.Context, []byte, *failure) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, nil, &failure{ErrorCode: flag.ErrParse, ErrorDetails: "the request body is larger than 1 MiB"}
	}
	if err != nil {
		return nil, nil, &failure{ErrorCode: flag.ErrParse, ErrorDetails: "cannot read the request body"}
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, &failure{ErrorCode: flag.ErrParse, ErrorDetails: "the body is not a JSON object: " + err.Error()}
	}
	raw := bytes.TrimSpace(req.Context)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, nil, &failure{ErrorCode: flag.ErrInvalidContext, ErrorDetails: "context must be a JSON object"}
	}
	var ctx flag.Context
	if err := json.Unmarshal(raw, &ctx); err != nil {
		return nil, nil, &failure{ErrorCode: flag.ErrInvalidContext, ErrorDetails: "context: " + err.Error()}
	}
	if tk, ok := ctx[flag.TargetingKey]; ok {
		if _, isString := tk.(string); !isString {
			return nil, nil, &failure{ErrorCode: flag.ErrInvalidContext, ErrorDetails: "context.targetingKey must be a string"}
		}
	}
	return ctx, raw, nil
}

func (h *Handler) evaluateOne(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	ctx, _, bad := readContext(w, r)
	if bad != nil {
		bad.Key = key
		writeJSON(w, http.StatusBadRequest, bad)
		return
	}
	sw := h.Served.Load().Get(key)
	if sw == nil {
		writeJSON(w, http.StatusNotFound, failure{Key: key, ErrorCode: flag.ErrFlagNotFound, ErrorDetails: "flag '" + key + "' was not found"})
		return
	}
	res := sw.Evaluate(ctx)
	if res.ErrorCode != "" {
		writeJSON(w, http.StatusBadRequest, failure{Key: key, ErrorCode: res.ErrorCode, ErrorDetails: res.ErrorDetails})
		return
	}
	writeJSON(w, http.StatusOK, successOf(sw, res))
}

func successOf(sw *flag.Switch, res flag.Result) success {
	return success{Key: res.Key, Value: res.Value, Reason: res.Reason, Variant: res.Variant,
		Metadata: metadata{Service: sw.Service, Version: sw.Version}}
}

// bulk is the answer to a bulk evaluation.
type bulk struct {
	Flags    []any        `json:"flags"`
	Metadata bulkMetadata `json:"metadata"`
}

type bulkMetadata struct {
	Version string `json:"version"`
}

// evaluateAll evaluates every switch for one context. Its ETag covers the
// snapshot and the context, so an app polling with If-None-Match gets 304
// until a switch changes, without any switch being evaluated.
func (h *Handler) evaluateAll(w http.ResponseWriter, r *http.Request) {
	ctx, raw, bad := readContext(w, r)
	if bad != nil {
		writeJSON(w, http.StatusBadRequest, bad)
		return
	}
	snap := h.Served.Load()
	etag := bulkETag(snap.Tag, raw)
	w.Header().Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	out := bulk{Flags: make([]any, 0, snap.Len()), Metadata: bulkMetadata{Version: snap.Tag}}
	for _, key := range snap.Keys() {
		sw := snap.Get(key)
		res := sw.Evaluate(ctx)
		if res.ErrorCode != "" {
			out.Flags = append(out.Flags, failure{Key: key, ErrorCode: res.ErrorCode, ErrorDetails: res.ErrorDetails})
			continue
		}
		out.Flags = append(out.Flags, successOf(sw, res))
	}
	writeJSON(w, http.StatusOK, out)
}

// bulkETag hashes the snapshot's tag with the context as sent: the same
// context sent the same way gets the same tag.
func bulkETag(tag string, context []byte) string {
	h := sha256.New()
	h.Write([]byte(tag))
	h.Write([]byte{0})
	h.Write(context)
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// matches reports whether an If-None-Match header names etag (or is "*").
// Weak tags compare equal to strong ones, as RFC 9110 says for this header.
func matches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// configuration answers the provider configuration endpoint. The current
// protocol removed it (open-feature/protocol#38); older providers still
// ask, so it says what Firebreak supports.
func (h *Handler) configuration(w http.ResponseWriter, r *http.Request) {
	const etag = `"firebreak-ofrep-1"`
	w.Header().Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "Firebreak",
		"capabilities": map[string]any{
			"cacheInvalidation": map[string]any{"polling": map[string]any{"enabled": true, "minPollingIntervalMs": 1000}},
			"flagEvaluation":    map[string]any{"supportedTypes": []string{"boolean", "string", "int", "float"}},
		},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errorDetails":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
