package jobs

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// clientID names this process in the queue: River records it on every job
// a worker takes (attempted_by) and on the leader. River's default is the
// host and the start time; the process id is added so that an operator (and
// the replica tests) can tell which of several replicas on one host ran a
// job, e.g. the one that died mid-delivery.
func clientID(now time.Time) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown_host"
	}
	host = strings.NewReplacer(".", "_", "-", "_", ":", "_").Replace(host)
	if len(host) > 50 {
		host = host[:50]
	}
	return host + "_pid" + strconv.Itoa(os.Getpid()) + "_" + strings.Replace(now.UTC().Format("2006_01_02T15_04_05.000000"), ".", "_", 1)
}
