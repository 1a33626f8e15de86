package change

import "testing"

// FuzzParseGitHub: a GitHub webhook body (after its signature is checked,
// but still a peer's bytes) never panics the parser; a change it returns
// has a known kind.
func FuzzParseGitHub(f *testing.F) {
	f.Add("pull_request", []byte(`{"action": "closed", "pull_request": {"number": 42, "title": "결제 재시도 로직", "merged": true, "merge_commit_sha": "0123456789abcdef0123456789abcdef01234567", "merged_at": "2026-11-24T09:30:00Z", "base": {"ref": "main"}, "labels": [{"name": "롤백불가"}], "html_url": "https://github.com/acme/checkout/pull/42", "user": {"login": "minji"}}, "repository": {"full_name": "acme/checkout", "default_branch": "main"}, "sender": {"login": "minji"}}`))
	f.Add("deployment_status", []byte(`{"deployment_status": {"state": "success", "environment": "production", "created_at": "2026-11-24T09:30:00Z"}, "deployment": {"sha": "abc", "ref": "v1.2.3", "environment": "production"}, "repository": {"full_name": "acme/checkout", "default_branch": "main"}}`))
	f.Add("release", []byte(`{"action": "published", "release": {"tag_name": "v1.2.3", "name": "1.2.3", "published_at": "2026-11-24T09:30:00Z"}, "repository": {"full_name": "acme/checkout"}}`))
	f.Add("ping", []byte(`{"zen": "Keep it logically awesome."}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		c, reason, err := ParseGitHub(event, body)
		if err != nil || c == nil {
			if c != nil {
				t.Fatalf("a change together with an error: %v", err)
			}
			_ = reason
			return
		}
		if c.Kind == "" {
			t.Fatalf("a change without a kind from %s", event)
		}
	})
}
