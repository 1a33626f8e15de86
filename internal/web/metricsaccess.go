package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// metricsGuard lets a scrape of /metrics through only from the loopback
// interface or with the metrics token as a bearer token.
//
// The counters say more than they seem to: a request to a restricted
// incident's page, a job queued for its messages, a grade's gauge moving —
// each shows that something was declared, even to someone who may not see
// it. So /metrics is for the operator's Prometheus, not for everyone who
// can reach the server. A request that a proxy forwarded (X-Forwarded-For,
// Forwarded) counts as remote even when the proxy runs on this host; with
// no token configured, remote scrapes are refused.
func metricsGuard(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fromLoopback(r) || tokenMatches(r, token) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak-metrics"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("metrics need the metrics token (--metrics-token) or a scrape from loopback\n" +
			"메트릭은 메트릭 토큰(--metrics-token)이 있거나 같은 호스트(loopback)에서만 볼 수 있습니다\n"))
	})
}

func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func tokenMatches(r *http.Request, token string) bool {
	if token == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}
