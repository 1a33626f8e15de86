package ui

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// allowedLatin are the words a Korean page may keep in Latin letters:
// product names, acronyms and formats that Korean engineers write as is.
var allowedLatin = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`Firebreak SEV SEV1 SEV2 SEV3 SEV4 SEV5 API URL ID INC Slack Jira GitHub Issues
		Markdown HTML TBD PR CSV JSON YAML OIDC SSO OpenID Connect Mattermost Teams LINE WORKS Microsoft Argo CD Jenkins
		HTTP HTTPS https Lines Actions HMAC SMTP Tier Atom RSS OpenFeature OFREP PgBouncer Prometheus Alertmanager Grafana CLI UTC KST
		PagerDuty Webhook webhook Bearer token CSRF Git SHA`) {
		allowedLatin[w] = true
	}
}

var scopes = regexp.MustCompile(`--[a-z][a-z-]*|:[a-z_]+:|\b[a-z]+(:[a-z]+|-\d+[a-z]?)\b`)

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z]+`)

// TestKoreanMessagesHaveNoEnglish scans every Korean UI message for English
// words that are not product names or acronyms, so the Korean UI stays
// Korean. Format verbs (%s, %[2]d) are not words.
func TestKoreanMessagesHaveNoEnglish(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]`)
	var bad []string
	for key, m := range messages {
		// Command-line flags (--demo), token scopes (flags:read), input
		// syntax (last-90d) and chat emoji codes (:pushpin:) are
		// identifiers the user types.
		ko := scopes.ReplaceAllString(verbs.ReplaceAllString(m[1], " "), " ")
		for _, w := range latinWord.FindAllString(ko, -1) {
			if !allowedLatin[w] {
				bad = append(bad, key+": "+w+" in "+m[1])
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

var (
	eitherParticle = regexp.MustCompile(`\(으\)로|을\(를\)|이\(가\)|은\(는\)|과\(와\)`)
	afterVerb      = regexp.MustCompile(`%(\[\d+\])?[sdv]”?(\(으\)로|을\(를\)|이\(가\)|은\(는\)|과\(와\))`)
)

// TestRoleTermsAreOne: the roles are 해결 담당 and 전파 담당 everywhere,
// never another word for the same job.
func TestRoleTermsAreOne(t *testing.T) {
	for key, m := range messages {
		for _, other := range []string{"커뮤니케이터", "리졸버", "소통 담당", "전파자", "해결자"} {
			if strings.Contains(m[1], other) {
				t.Errorf("%s says %q: %s", key, other, m[1])
			}
		}
		// An either-particle may follow only a format verb, where the
		// translator picks the one that fits; after a fixed word it
		// should be written out.
		if n := len(eitherParticle.FindAllString(m[1], -1)); n != len(afterVerb.FindAllString(m[1], -1)) {
			t.Errorf("%s glues an either-particle to a fixed word: %s", key, m[1])
		}
	}
}

// TestKoreanEventWording: a role change reads "해결 담당으로", a report
// event reads in words, and nothing shows a raw kind.
func TestKoreanEventWording(t *testing.T) {
	ko := &view{Lang: "ko", translator: translatorFor("ko")}
	ev := incident.Event{Kind: incident.EventRoleAssigned, Data: map[string]any{"user": "bob", "role": "resolver"}}
	if got := ko.EventText(ev); got != "bob 님을 해결 담당으로 지정" {
		t.Errorf("role assigned: %q", got)
	}
	ev.Data["role"] = "communicator"
	if got := ko.EventText(ev); got != "bob 님을 전파 담당으로 지정" {
		t.Errorf("role assigned: %q", got)
	}
	for _, k := range eventtext.Kinds() {
		got := ko.EventText(incident.Event{Kind: k, Data: map[string]any{}})
		if strings.Contains(got, string(k)) {
			t.Errorf("%s reads %q", k, got)
		}
	}
	if got := ko.EventText(incident.Event{Kind: "report_shared", Data: map[string]any{}}); got != "보고서 공유" {
		t.Errorf("report_shared reads %q", got)
	}
}
