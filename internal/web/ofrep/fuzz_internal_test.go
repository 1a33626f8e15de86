package ofrep

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/flag"
)

// FuzzReadContext: any body sent to the OFREP evaluation endpoints is read
// without a panic into either a context (an object whose targetingKey, if
// any, is a string) or one of the protocol's error codes.
func FuzzReadContext(f *testing.F) {
	f.Add([]byte(`{"context": {"targetingKey": "user-42", "service": "checkout-api", "region": "kr"}}`))
	f.Add([]byte(`{"context": {"targetingKey": 42}}`))
	f.Add([]byte(`{"context": []}`))
	f.Add([]byte(`{"context": {"nested": {"a": [1, 2, {"b": null}]}, "n": 1e400}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/ofrep/v1/evaluate/flags/x", strings.NewReader(string(body)))
		w := httptest.NewRecorder()
		ctx, raw, bad := readContext(w, req)
		if bad != nil {
			if bad.ErrorCode != flag.ErrParse && bad.ErrorCode != flag.ErrInvalidContext {
				t.Fatalf("error code %q", bad.ErrorCode)
			}
			return
		}
		if ctx == nil || len(raw) == 0 {
			t.Fatalf("no context and no error for %q", body)
		}
		if tk, ok := ctx[flag.TargetingKey]; ok {
			if _, isString := tk.(string); !isString {
				t.Fatalf("targetingKey %T accepted", tk)
			}
		}
	})
}
