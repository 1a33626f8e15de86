package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// problem is an RFC 9457 problem details body. Code and Field are extension
// members: the domain error code, and the request field at fault.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
}

var statusOf = map[fail.Code]int{
	fail.Invalid:      http.StatusBadRequest,
	fail.NotFound:     http.StatusNotFound,
	fail.Conflict:     http.StatusConflict,
	fail.Forbidden:    http.StatusForbidden,
	fail.Unauthorized: http.StatusUnauthorized,
}

// writeError answers with the problem that err describes. Errors that are not
// domain errors are logged and reported without detail.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problem{Type: "about:blank", Instance: r.URL.Path}
	if e, ok := fail.As(err); ok && statusOf[e.Code] != 0 {
		p.Status, p.Code, p.Field, p.Detail = statusOf[e.Code], string(e.Code), e.Field, e.Error()
	} else {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Status, p.Code, p.Detail = http.StatusInternalServerError, string(fail.Internal), "internal error; the server log has the details"
	}
	p.Title = http.StatusText(p.Status)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxBody bounds a request body; no API input is anywhere near it.
const maxBody = 1 << 20

// decode reads a JSON request body into dst. Unknown fields, trailing data,
// type mismatches and syntax errors become Invalid errors naming the field or
// the byte offset.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fail.Field("Content-Type", "must be application/json; got %q", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail.Field("", "the request body is larger than %d bytes", maxBody)
		}
		return fail.Field("", "the request body could not be read: %v", err)
	}
	if err := invalidUTF8(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return fail.Field("", "malformed JSON: unexpected data after the object")
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return fail.Field("", "the request body is empty; a JSON object is expected")
	case errors.As(err, &syntax):
		return fail.Field("", "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fail.Field("", "malformed JSON: the body ends early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fail.Field("", "the body must be a JSON object")
		}
		return fail.Field(field, "must be a JSON %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooBig):
		return fail.Field("", "the request body is larger than %d bytes", maxBody)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fail.Field(name, "unknown field")
	}
	return fail.Field("", "malformed JSON: %v", err)
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "bool":
		return "boolean"
	case "ptr":
		return "value of another type"
	}
	return fmt.Sprintf("number (%s)", kind)
}
