package cli

import "runtime/debug"

// serveGCPercent and serveMemoryLimit are what serve gives Go's garbage
// collector unless the operator set GOGC or GOMEMLIMIT. A server's live
// heap is tens of MiB, and at Go's default (GOGC 100) a storm of one-alert
// webhooks spent about a tenth of the CPU collecting it; at 400 the same
// storm took 13% less CPU per alert (bench/intakeload). The soft limit
// makes the collector work harder as the heap nears it, so a large live
// heap does not grow fivefold.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 512 << 20
)

// gcSettings returns the collector's settings for serve, and false when
// the operator chose them through the environment.
func gcSettings(getenv func(string) string) (percent int, limit int64, ok bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, 0, false
	}
	return serveGCPercent, serveMemoryLimit, true
}

// tuneGC applies gcSettings.
func tuneGC(getenv func(string) string) {
	if percent, limit, ok := gcSettings(getenv); ok {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
