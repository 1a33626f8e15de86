package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// sqliteTime is how times are written to SQLite: fixed width, UTC, so that
// text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// t converts a time for the database at hand.
func (db *DB) t(v time.Time) any {
	if db.Dialect == SQLite {
		return v.UTC().Format(sqliteTime)
	}
	return v.UTC()
}

// tp converts an optional time.
func (db *DB) tp(v *time.Time) any {
	if v == nil {
		return nil
	}
	return db.t(*v)
}

// scanTime reads a time column of either database; a NULL leaves Valid false.
type scanTime struct {
	Time  time.Time
	Valid bool
}

func (s *scanTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		s.Valid = false
		return nil
	case time.Time:
		s.Time, s.Valid = x.UTC(), true
		return nil
	case string:
		return s.parse(x)
	case []byte:
		return s.parse(string(x))
	}
	return fmt.Errorf("cannot read %T as a time", v)
}

func (s *scanTime) parse(x string) error {
	t, err := time.Parse(time.RFC3339Nano, x)
	if err != nil {
		return fmt.Errorf("read time %q: %w", x, err)
	}
	s.Time, s.Valid = t.UTC(), true
	return nil
}

func (s scanTime) ptr() *time.Time {
	if !s.Valid {
		return nil
	}
	t := s.Time
	return &t
}

// jsonText stores a value as JSON text in a TEXT column of either database.
type jsonText struct{ v any }

func (j jsonText) Value() (driver.Value, error) {
	if b, ok := appendJSON(nil, j.v); ok {
		return string(b), nil
	}
	b, err := json.Marshal(j.v)
	return string(b), err
}

// appendJSON writes by hand the JSON of what a storm writes for every
// signal: its labels (a string map) and its timeline event's data (strings,
// integers and a string map). encoding/json's reflection was a twentieth
// of intake's CPU. Keys are sorted, as encoding/json sorts them; the text
// reads back the same (no HTML escapes, which only matter in a page). It
// reports false for any other value, which encoding/json then writes.
func appendJSON(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x), true
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case map[string]string:
		return appendObject(dst, x, appendString)
	case map[string]any:
		return appendObject(dst, x, appendJSON)
	}
	return dst, false
}

// appendString writes s quoted; invalid UTF-8 becomes U+FFFD, as with
// encoding/json.
func appendString(dst []byte, s string) ([]byte, bool) {
	dst, _ = jsontext.AppendQuote(dst, s)
	return dst, true
}

// appendObject writes m as a JSON object, keys in order, each value with
// value; ok is false if value could not write one.
func appendObject[V any](dst []byte, m map[string]V, value func([]byte, V) ([]byte, bool)) ([]byte, bool) {
	if m == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst, _ = jsontext.AppendQuote(dst, k)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = value(dst, m[k]); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// sortedKeys returns m's keys in order, in one allocation.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// scanJSON reads a JSON text column into v.
type scanJSON struct{ v any }

func (j scanJSON) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(x), j.v)
	case []byte:
		return json.Unmarshal(x, j.v)
	}
	return fmt.Errorf("cannot read %T as JSON", src)
}

// args builds a placeholder list for a query assembled from optional parts.
type args []any

// add appends a value and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in returns "($n, $m, …)" for the values.
func (a *args) in(vs []any) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = a.add(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}
