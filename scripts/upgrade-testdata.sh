#!/usr/bin/env bash
# Regenerates the databases made by a previous release that the upgrade test
# (internal/store/upgrade_test.go) migrates forward:
#
#   internal/store/testdata/upgrade/<tag>/sqlite.sql.gz    sqlite3 .dump
#   internal/store/testdata/upgrade/<tag>/postgres.sql.gz  pg_dump --inserts
#   internal/store/testdata/upgrade/<tag>/secrets.json     what the test signs in with
#
# Usage: scripts/upgrade-testdata.sh [COMMIT [TAG]]
#   COMMIT defaults to v0.1.0's commit (d4d0893, main before 2026-12-05), TAG to v0.1.0.
#
# It builds that commit's binary in a temporary git worktree, runs
# `serve --demo` once on a new SQLite file and once on a throwaway
# PostgreSQL 15 cluster, and fills each through the release's own API,
# intake and CLI: incidents with notes and status changes, Alertmanager
# signals, a report with a revision, both reviews, action items, a user with
# a password and an API token. Needs go, git, curl, jq, sqlite3, pg_dump and
# Debian's postgresql-15 (initdb, postgres).
set -euo pipefail

COMMIT=${1:-d4d089306a6407d05b7d5306d6a8090b6cb11438}
TAG=${2:-v0.1.0}
ROOT=$(git rev-parse --show-toplevel)
OUT="$ROOT/internal/store/testdata/upgrade/$TAG"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d /tmp/firebreak-upgrade-XXXXXX)
PORT=${PORT:-18941}
PGPORT=${PGPORT:-18942}
TOKEN_SECRET="am-upgrade-$TAG"
PASSWORD="upgrade-password-$TAG"
SERVER_PID=""
PG_STARTED=""

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	if [ -n "$PG_STARTED" ]; then
		as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
	fi
	git -C "$ROOT" worktree remove --force "$WORK/src" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root; as root the cluster runs as postgres.
as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

echo "building $COMMIT as $TAG"
git -C "$ROOT" worktree add --detach "$WORK/src" "$COMMIT" >/dev/null
FB=${RELEASE_BIN:-$WORK/firebreak} # RELEASE_BIN: a binary already built from COMMIT
[ -x "$FB" ] || (cd "$WORK/src" && go build -o "$FB" ./cmd/firebreak)

# The demo catalog of that release, with the Alertmanager intake turned on.
cp "$WORK/src/internal/catalog/demo.yaml" "$WORK/config.yaml"
printf '\nintake:\n  alertmanager:\n    token: %s\n' "$TOKEN_SECRET" >>"$WORK/config.yaml"

api() { # METHOD PATH [JSON]
	curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "http://127.0.0.1:$PORT/api/v1$2"
}

# fill DBFLAG...: runs the release on the database, fills it, stops it.
fill() {
	"$FB" serve --demo --config "$WORK/config.yaml" --addr "127.0.0.1:$PORT" "$@" >"$WORK/serve.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 120); do
		curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
		sleep 0.5
	done
	ADMIN_TOKEN=$(sed -n 's/^Demo admin token (shown once): //p' "$WORK/serve.log")
	[ -n "$ADMIN_TOKEN" ] || { cat "$WORK/serve.log"; exit 1; }

	local ref
	ref=$(api POST /incidents '{"title":"업그레이드 전 결제 지연 Checkout latency before the upgrade","summary":"p99 4s on checkout","grade":"SEV2","services":["checkout-api"],"visibility":"internal","labels":{"region":"kr"},"cause_tags":["deploy"]}' | jq -r .id)
	api POST "/incidents/$ref/notes" '{"text":"롤백 검토 중 — considering a rollback"}' >/dev/null
	api POST "/incidents/$ref/status" '{"status":"identified","message":"rolled back"}' >/dev/null
	api POST "/incidents/$ref/status" '{"status":"resolved","message":"latency back to normal"}' >/dev/null
	api POST "/incidents/$ref/report" '{"lang":"ko"}' >/dev/null
	api PUT "/incidents/$ref/report" '{"base_revision":1,"sections":{"summary":"결제 API 지연 (upgrade test data)","cause":"커넥션 풀 고갈 connection pool exhausted"}}' >/dev/null
	api PUT "/incidents/$ref/review/team" '{"facilitator":"demo-admin","attendees":["demo-admin"],"notes":"team review notes","held":true,"narrative":{"background":"b","trigger":"a deploy","chain":"pool exhausted","impact":"slow checkout"}}' >/dev/null
	api PUT "/incidents/$ref/review/developer" '{"facilitator":"demo-admin","attendees":["demo-admin"],"notes":"developer review notes","held":true}' >/dev/null
	api POST "/incidents/$ref/action-items" '{"stage":"team","title":"커넥션 풀 포화 알림 추가 Alert on connection pool saturation above 80%","category":"detect","term":"short","owner":"demo-admin","due_at":"2027-01-15"}' >/dev/null
	api POST "/incidents/$ref/action-items" '{"stage":"developer","title":"Add a load test of checkout to the release pipeline","category":"prevent","term":"long","owner":"demo-admin","due_at":"2027-03-31"}' >/dev/null
	api POST /incidents '{"title":"Upgrade test: open incident","grade":"SEV4","services":["checkout-api"],"visibility":"internal"}' >/dev/null

	local now
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	curl -fsS -X POST -H "Authorization: Bearer $TOKEN_SECRET" -H 'Content-Type: application/json' \
		"http://127.0.0.1:$PORT/hooks/alertmanager" --data '{"version":"4","status":"firing","receiver":"firebreak","groupKey":"{}:{alertname=\"UpgradeTestHighErrorRate\"}","commonLabels":{"alertname":"UpgradeTestHighErrorRate","service":"checkout-api","severity":"critical"},"alerts":[{"status":"firing","labels":{"alertname":"UpgradeTestHighErrorRate","service":"checkout-api","severity":"critical","instance":"a"},"annotations":{"summary":"5xx above 5%"},"startsAt":"'"$now"'","fingerprint":"upgrade0001"},{"status":"firing","labels":{"alertname":"UpgradeTestHighErrorRate","service":"checkout-api","severity":"critical","instance":"b"},"annotations":{"summary":"5xx above 5%"},"startsAt":"'"$now"'","fingerprint":"upgrade0002"}]}' >/dev/null
	sleep 3 # let the queue deliver (or give up on) the declared messages
	kill "$SERVER_PID"
	wait "$SERVER_PID" || true
	SERVER_PID=""

	"$FB" user add upgrade-user --email upgrade@example.com --role responder "$@" >/dev/null
	echo "$PASSWORD" | "$FB" user passwd upgrade-user "$@" >/dev/null
	USER_TOKEN=$("$FB" token create --user upgrade-user --label "made by $TAG" "$@" | grep -o 'fbt_[a-z0-9]*' | head -1)
	[ -n "$USER_TOKEN" ]
}

mkdir -p "$OUT"

echo "filling SQLite"
fill --data-dir "$WORK/sqlite"
SQLITE_TOKEN=$USER_TOKEN
sqlite3 "$WORK/sqlite/firebreak.db" .dump | gzip -9n >"$OUT/sqlite.sql.gz"

echo "filling PostgreSQL"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK" "$WORK/pg"
as_postgres "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg.log" \
	-o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
PG_STARTED=1
PGURL="postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
fill --database-url "$PGURL"
PG_TOKEN=$USER_TOKEN
# Plain INSERTs (not COPY) so the test can run the dump through database/sql.
"$PGBIN/pg_dump" --inserts --no-owner --no-privileges "$PGURL" | gzip -9n >"$OUT/postgres.sql.gz"

jq -n --arg tag "$TAG" --arg commit "$COMMIT" --arg password "$PASSWORD" \
	--arg sqlite "$SQLITE_TOKEN" --arg postgres "$PG_TOKEN" \
	'{tag:$tag, commit:$commit, user:"upgrade-user", password:$password, demo_password:"firebreak-demo",
	  tokens:{sqlite:$sqlite, postgres:$postgres}}' >"$OUT/secrets.json"
ls -la "$OUT"
