package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestAppendJSONReadsBackAsEncodingJSON: the hand-written JSON of labels
// and event data reads back exactly as encoding/json's would, keys in the
// same order; other values are left to encoding/json.
func TestAppendJSONReadsBackAsEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, "", "결제 실패", `quote " backslash \ tab	 newline
 nul ` + "\x00 <b>&amp;</b> \u2028", true, 42, int64(-7),
		map[string]string(nil), map[string]string{},
		map[string]string{"z": "last", "a": "first", "서비스": "결제", "": "empty key", "bad": "\xff\xfeutf8"},
		map[string]any{"signal_id": int64(12), "status": "firing", "ok": false, "labels": map[string]string{"b": "2", "a": "1"}, "none": nil},
	} {
		got, ok := appendJSON(nil, v)
		if !ok {
			t.Errorf("appendJSON(%#v) left to encoding/json", v)
			continue
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Errorf("appendJSON(%#v) = %s, not JSON: %v", v, got, err)
			continue
		}
		_ = json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("appendJSON(%#v) = %s, reads back as %#v; encoding/json's %s as %#v", v, got, a, want, b)
		}
	}
	if got, _ := appendJSON(nil, map[string]string{"b": "2", "a": "1", "c": "3"}); string(got) != `{"a":"1","b":"2","c":"3"}` {
		t.Errorf("keys not sorted: %s", got)
	}
	for _, v := range []any{1.5, []string{"a"}, struct{ A int }{1}, map[string]any{"n": 1.5}, map[string]int{"a": 1}} {
		if _, ok := appendJSON(nil, v); ok {
			t.Errorf("appendJSON(%#v) wrote it; encoding/json should", v)
		}
		if s, err := (jsonText{v}).Value(); err != nil || s == "" {
			t.Errorf("jsonText{%#v}.Value() = %v, %v", v, s, err)
		}
	}
}
