package ofrep_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// nodeDir holds the npm project with the OpenFeature SDKs and the scripts.
const nodeDir = "../../../bench/ofrep-node"

// nodeProject makes sure the SDKs are installed (npm ci from the committed
// lock file, as .ci/run does) and returns the node binary.
func nodeProject(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testutil.Missing(t, "node")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "@openfeature", "ofrep-web-provider")); err == nil {
		return node
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		testutil.Missing(t, "npm")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefix", nodeDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", nodeDir, err, out)
	}
	return node
}

// sdkResult is one evaluation as the SDK reported it.
type sdkResult struct {
	Value     any    `json:"value"`
	Variant   string `json:"variant"`
	Reason    string `json:"reason"`
	ErrorCode string `json:"errorCode"`
}

func runScript(t *testing.T, node, script string, s *site) map[string]json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "FIREBREAK_URL="+s.base, "FLAGS_TOKEN="+s.flags, "WRITE_TOKEN="+s.write)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node %s: %v\n%s\n%s", script, err, out, stderr)
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node %s printed no JSON: %v\n%s", script, err, out)
	}
	t.Logf("node %s saw: %s", script, out)
	return res
}

func result(t *testing.T, res map[string]json.RawMessage, name string) sdkResult {
	t.Helper()
	var r sdkResult
	if err := json.Unmarshal(res[name], &r); err != nil {
		t.Fatalf("%s: %v in %s", name, err, res[name])
	}
	return r
}

func expect(t *testing.T, res map[string]json.RawMessage, name string, want sdkResult) {
	t.Helper()
	if got := result(t, res, name); got != want {
		t.Errorf("%s: the SDK saw %+v, want %+v", name, got, want)
	}
}

// TestOpenFeatureServerSDK runs @openfeature/server-sdk with
// @openfeature/ofrep-provider against a running Firebreak.
func TestOpenFeatureServerSDK(t *testing.T) {
	node := nodeProject(t)
	s := startSite(t, testutil.SQLiteURL(t))
	res := runScript(t, node, "server.mjs", s)
	expect(t, res, "oldIOS", sdkResult{Value: false, Variant: "off", Reason: "TARGETING_MATCH"})
	expect(t, res, "newIOS", sdkResult{Value: true, Variant: "on", Reason: "DEFAULT"})
	expect(t, res, "theme", sdkResult{Value: "compact", Variant: "compact", Reason: "TARGETING_MATCH"})
	expect(t, res, "retry", sdkResult{Value: 3.0, Variant: "normal", Reason: "STATIC"})
	expect(t, res, "notFound", sdkResult{Value: true, Reason: "ERROR", ErrorCode: "FLAG_NOT_FOUND"})
	expect(t, res, "typeMismatch", sdkResult{Value: "fallback", Reason: "ERROR", ErrorCode: "TYPE_MISMATCH"})
	expect(t, res, "noTargetingKey", sdkResult{Value: false, Reason: "ERROR", ErrorCode: "TARGETING_KEY_MISSING"})
	expect(t, res, "androidBefore", sdkResult{Value: true, Variant: "on", Reason: "DEFAULT"})
	expect(t, res, "androidAfterFlip", sdkResult{Value: false, Variant: "off", Reason: "STATIC"})
	expect(t, res, "androidFlippedBack", sdkResult{Value: true, Variant: "on", Reason: "DEFAULT"})
	if bad := result(t, res, "badToken"); bad.Value != false || bad.Reason != "ERROR" || bad.ErrorCode == "" {
		t.Errorf("a wrong token: the SDK saw %+v, want the code default with an error", bad)
	}
	for name, want := range map[string]string{"rawParseError": "PARSE_ERROR", "rawInvalidContext": "INVALID_CONTEXT"} {
		var raw struct {
			Status    int    `json:"status"`
			ErrorCode string `json:"errorCode"`
		}
		if err := json.Unmarshal(res[name], &raw); err != nil || raw.Status != 400 || raw.ErrorCode != want {
			t.Errorf("%s: %s (%v), want 400 %s", name, res[name], err, want)
		}
	}
}

// TestOpenFeatureWebSDK runs @openfeature/web-sdk with
// @openfeature/ofrep-web-provider (bulk evaluation, polled with ETags).
func TestOpenFeatureWebSDK(t *testing.T) {
	node := nodeProject(t)
	s := startSite(t, testutil.SQLiteURL(t))
	res := runScript(t, node, "web.mjs", s)
	expect(t, res, "oldIOS", sdkResult{Value: false, Variant: "off", Reason: "TARGETING_MATCH"})
	expect(t, res, "theme", sdkResult{Value: "compact", Variant: "compact", Reason: "TARGETING_MATCH"})
	expect(t, res, "retry", sdkResult{Value: 3.0, Variant: "normal", Reason: "STATIC"})
	expect(t, res, "notFound", sdkResult{Value: true, Reason: "ERROR", ErrorCode: "FLAG_NOT_FOUND"})
	expect(t, res, "typeMismatch", sdkResult{Value: "fallback", Reason: "ERROR", ErrorCode: "TYPE_MISMATCH"})
	expect(t, res, "androidBefore", sdkResult{Value: true, Variant: "on", Reason: "DEFAULT"})
	expect(t, res, "androidAfterFlip", sdkResult{Value: false, Variant: "off", Reason: "STATIC"})
	for _, name := range []string{"flipSeen", "flipBackSeen"} {
		if string(res[name]) != "true" {
			t.Errorf("%s: %s; the web provider's polling did not see the flip", name, res[name])
		}
	}
	if bad := result(t, res, "badTokenDetails"); bad.Value != false || bad.ErrorCode == "" {
		t.Errorf("a wrong token: the SDK saw %+v (%s), want the code default with an error", bad, res["badToken"])
	}
}
