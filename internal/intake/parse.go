package intake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// ParseError says what is wrong with a payload, naming the field.
type ParseError struct {
	Field   string
	Message string
}

func (e *ParseError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func parseErr(field, format string, args ...any) error {
	return &ParseError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// decodeStrict reads a webhook body, naming where a syntax error is and
// which field holds a value of the wrong type.
//
// It uses the JSON v2 implementation (encoding/json/v2 from Go 1.27),
// which reads these payloads in half the time of encoding/json: in a
// storm of 100-alert notifications reading them was a quarter of the
// CPU.
func decodeStrict(body []byte, v any) error {
	err := jsonv2.Unmarshal(body, v, asEncodingJSON)
	var syntax *jsontext.SyntacticError
	var semantic *jsonv2.SemanticError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return parseErr(fail.PointerField(syntax.JSONPointer), "malformed JSON at byte %d: %v", syntax.ByteOffset, syntax.Err)
	case errors.As(err, &semantic):
		field := fail.PointerField(semantic.JSONPointer)
		if semantic.GoType != nil {
			return parseErr(field, "must be a JSON %s", jsonKind(semantic.GoType))
		}
		return parseErr(field, "%v", err)
	}
	return parseErr("", "malformed JSON: %v", err)
}

// asEncodingJSON keeps what encoding/json accepted: names in any case and
// repeated names (the last wins) — but not invalid UTF-8, which
// encoding/json silently replaced: text is refused rather than changed
// (internal/textrule), and the error names the field.
var asEncodingJSON = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(false))

// jsonKind names the JSON type a Go type is read from.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return "string holding an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// amAlert is one alert of Alertmanager's webhook payload (also Grafana's).
type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// amPayload is Alertmanager's webhook receiver payload, version 4.
type amPayload struct {
	Version  string    `json:"version"`
	GroupKey string    `json:"groupKey"`
	Status   string    `json:"status"`
	Receiver string    `json:"receiver"`
	Alerts   []amAlert `json:"alerts"`
	// Grafana adds these to the same shape.
	Title string `json:"title"`
	OrgID *int64 `json:"orgId"`
}

// ParseAlertmanager reads Alertmanager's webhook payload (version 4).
func ParseAlertmanager(body []byte) ([]*Signal, error) {
	var p amPayload
	if err := decodeStrict(body, &p); err != nil {
		return nil, err
	}
	if p.Version != "4" {
		return nil, parseErr("version", "must be \"4\" (Alertmanager's webhook payload version); got %q", p.Version)
	}
	return alertsToSignals("alertmanager", p.Alerts)
}

// ParseGrafana reads Grafana alerting's webhook payload, which carries its
// alerts in Alertmanager's shape.
func ParseGrafana(body []byte) ([]*Signal, error) {
	var p amPayload
	if err := decodeStrict(body, &p); err != nil {
		return nil, err
	}
	if p.Alerts == nil {
		return nil, parseErr("alerts", "is missing: not a Grafana alerting webhook payload")
	}
	return alertsToSignals("grafana", p.Alerts)
}

func alertsToSignals(source string, alerts []amAlert) ([]*Signal, error) {
	if len(alerts) == 0 {
		return nil, parseErr("alerts", "must hold at least one alert")
	}
	if err := checkAlertCount("alerts", len(alerts)); err != nil {
		return nil, err
	}
	out := make([]*Signal, 0, len(alerts))
	for i, a := range alerts {
		field := fmt.Sprintf("alerts[%d]", i)
		st := Status(a.Status)
		if st != Firing && st != Resolved {
			return nil, parseErr(field+".status", "must be firing or resolved; got %q", a.Status)
		}
		if len(a.Labels) == 0 {
			return nil, parseErr(field+".labels", "must not be empty")
		}
		if err := checkAlertText(field, a); err != nil {
			return nil, err
		}
		s := &Signal{Source: source, Status: st, Labels: a.Labels, Fingerprint: a.Fingerprint, StartsAt: a.StartsAt,
			Title:   firstOf(a.Annotations["summary"], a.Annotations["title"], a.Labels["alertname"]),
			Summary: firstOf(a.Annotations["description"], a.Annotations["message"])}
		if st == Resolved && !a.EndsAt.IsZero() {
			end := a.EndsAt.UTC()
			s.ResolvedAt = &end
		}
		out = append(out, s)
	}
	return out, nil
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// GenericSignal is one signal of Firebreak's own webhook format.
type GenericSignal struct {
	Title       string            `json:"title"`
	Summary     string            `json:"summary"`
	Status      string            `json:"status"`
	Fingerprint string            `json:"fingerprint"`
	Labels      map[string]string `json:"labels"`
	StartsAt    *time.Time        `json:"starts_at"`
}

// genericPayload is either one signal or {"signals": [...]}.
type genericPayload struct {
	GenericSignal
	Signals []GenericSignal `json:"signals"`
}

// ParseGeneric reads Firebreak's generic webhook format (docs/intake.md).
func ParseGeneric(body []byte) ([]*Signal, error) {
	var p genericPayload
	if err := decodeStrict(body, &p); err != nil {
		return nil, err
	}
	items, prefix := p.Signals, "signals"
	if err := checkAlertCount("signals", len(items)); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		items, prefix = []GenericSignal{p.GenericSignal}, ""
	}
	out := make([]*Signal, 0, len(items))
	for i, g := range items {
		field := func(name string) string {
			if prefix == "" {
				return name
			}
			return fmt.Sprintf("%s[%d].%s", prefix, i, name)
		}
		if strings.TrimSpace(g.Title) == "" {
			return nil, parseErr(field("title"), "is required")
		}
		st := Status(g.Status)
		if g.Status == "" {
			st = Firing
		}
		if st != Firing && st != Resolved {
			return nil, parseErr(field("status"), "must be firing or resolved; got %q", g.Status)
		}
		if err := checkGenericText(field, g); err != nil {
			return nil, err
		}
		labels := g.Labels
		if labels == nil {
			labels = map[string]string{}
		}
		if _, ok := labels["alertname"]; !ok {
			labels["alertname"] = g.Title
		}
		s := &Signal{Source: "generic", Title: g.Title, Summary: g.Summary, Status: st, Fingerprint: g.Fingerprint, Labels: labels}
		if g.StartsAt != nil {
			s.StartsAt = *g.StartsAt
		}
		out = append(out, s)
	}
	return out, nil
}

// Signature headers of the generic webhook.
const (
	HeaderTimestamp = "X-Firebreak-Timestamp"
	HeaderSignature = "X-Firebreak-Signature"
)

// Sign returns the signature header value for a body sent at ts: the
// HMAC-SHA256 of "<ts>.<body>" under the shared secret, hex, with a
// "sha256=" prefix.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a generic webhook's signature and that its
// timestamp lies within the replay window of now. The HMAC is computed and
// compared even when the timestamp is missing, malformed or stale, so a
// refused request costs the same whichever part of it was wrong and its
// answer time tells a prober nothing.
func VerifySignature(secret, tsHeader, sigHeader string, body []byte, now time.Time, window time.Duration) error {
	ts, perr := strconv.ParseInt(tsHeader, 10, 64)
	match := hmac.Equal([]byte(sigHeader), []byte(Sign(secret, ts, body)))
	switch {
	case perr != nil:
		return fmt.Errorf("%s must be Unix seconds", HeaderTimestamp)
	case now.Sub(time.Unix(ts, 0)) > window || now.Sub(time.Unix(ts, 0)) < -window:
		return fmt.Errorf("%s is outside the %s replay window", HeaderTimestamp, window)
	case !match:
		return fmt.Errorf("%s does not match the body", HeaderSignature)
	}
	return nil
}
