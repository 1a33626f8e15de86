#!/bin/sh
# idlecpu.sh measures what an idle `firebreak serve --demo` costs: the CPU
# time (user + system, all threads, from /proc/PID/stat) that the process
# uses over SECONDS (default 60) once it has started, and that as a
# share of one core. Nothing talks to the server while it is measured.
#
#   bench/idlecpu.sh [SECONDS]                       # SQLite in a temporary data dir
#   DATABASE_URL=postgres://… bench/idlecpu.sh [SECONDS]   # PostgreSQL
#
# BIN names a prebuilt binary; otherwise the script builds one.
set -eu
secs=${1:-60}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
bin=${BIN:-}
if [ -z "$bin" ]; then
	bin=$tmp/firebreak
	go build -o "$bin" ./cmd/firebreak
fi
port=${PORT:-18080}
set -- serve --demo --addr 127.0.0.1:"$port" --data-dir "$tmp/data" --log-level warn
if [ -n "${DATABASE_URL:-}" ]; then
	set -- "$@" --database-url "$DATABASE_URL"
fi
"$bin" "$@" >"$tmp/out.log" 2>&1 &
pid=$!
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$pid"/stat; }
# Start-up (migrations, demo seed) is not idle: wait until the server is
# ready, then WARMUP seconds (default 10) for the jobs run at start.
i=0
until curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -lt 300 ] || { echo "server did not start:"; tail -20 "$tmp/out.log"; exit 1; }
	sleep 0.2
done
sleep "${WARMUP:-10}"
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
hz=$(getconf CLK_TCK)
curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" || { echo "server not ready:"; tail -20 "$tmp/out.log"; exit 1; }
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" 'BEGIN {
	cpu = d / hz
	printf "cpu %.2f s over %d s = %.3f%% of a core (%.2f CPU-s a minute)\n", cpu, s, 100 * cpu / s, 60 * cpu / s
}'
