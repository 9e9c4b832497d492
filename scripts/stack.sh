#!/bin/bash
# The local civitas stack: a private PostgreSQL cluster, Redis, an SMTP sink,
# the FastCGI master with its workers, the mail worker and nginx, all under
# one directory, on unix sockets except HTTP and SMTP.
#
#   scripts/stack.sh start DIR     start (or reuse) everything under DIR
#   scripts/stack.sh stop DIR      stop everything started under DIR
#   scripts/stack.sh env DIR       print the environment (source it)
#   scripts/stack.sh admin DIR EMAIL   create/promote an admin (PASSWORD env)
#                                      and print its second factor's
#                                      enrolment link (issue 13)
#   scripts/stack.sh replica DIR   start (or reuse) a streaming replica of
#                                  DIR's PostgreSQL (issue 13) and print its
#                                  DATABASE_REPLICA_URL
#
# Settings (environment): HTTP_PORT (8080), SMTP_PORT (2525), WORKERS (4),
# TRUSTED_PROXY (127.0.0.2), BIN_DIR (build), PG_FAST (unset: durable
# commits; set in tests), MAIL_RETRY_BASE (30). The app secret is created
# once in DIR/secret, the bounce webhook's (BOUNCE_WEBHOOK_SECRET) in
# DIR/webhook-secret. The SMTP sink hands mail to bounces+/unsubscribe+
# addresses to `civitas-fcgi inbound` (with this environment), as Postfix's
# pipe transport would. As root, PostgreSQL runs as the "postgres" user.
# Donations (issue 10): the fake payment provider scripts/fake-paybox
# listens on PAYBOX_PORT (HTTP_PORT + 2); its RSA key pair is made once in
# DIR/paybox/ (the private key stays with the fake, the workers get the
# public key's path in PAYBOX_PUBKEY), the shop's HMAC key (PAYBOX_HMAC_KEY)
# once in DIR/paybox-hmac.
# issue 13, many hosts: Redis keeps an append-only file (appendonly yes,
# fsync every second) so that sessions survive a restart; with PG_FAST
# (tests) it keeps nothing, as before. REDIS_AOF=yes|no overrides that.
# scripts/cluster.sh runs `stack.sh db DIR` (PostgreSQL, migrations and
# Redis only) in its database namespace with DB_LISTEN (an address
# PostgreSQL and Redis also listen on, port 5432 and REDIS_PORT, 6379) and
# DB_CLIENTS (the CIDR trusted by PostgreSQL on it), and `stack.sh redis
# DIR` to start Redis again.
set -euo pipefail
cmd=${1:?usage: stack.sh start|stop|env|admin DIR}
dir=${2:?usage: stack.sh start|stop|env|admin DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
VAR=$(cd "$dir" && pwd)
RUN=$VAR/run LOG=$VAR/log
HTTP_PORT=${HTTP_PORT:-8080}
SMTP_PORT=${SMTP_PORT:-2525}
PAYBOX_PORT=${PAYBOX_PORT:-$((HTTP_PORT + 2))}
WORKERS=${WORKERS:-4}
TRUSTED_PROXY=${TRUSTED_PROXY:-127.0.0.2}
BIN_DIR=${BIN_DIR:-$top/build}
case $BIN_DIR in /*) ;; *) BIN_DIR=$top/$BIN_DIR ;; esac
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The cluster lives in DIR/pg when the postgres user can reach it,
# else in /var/lib/civitas/<hash of DIR> (e.g. a checkout under /root).
pg_dir() {
	if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$VAR"; then
		echo "$VAR/pg"
	else
		echo "/var/lib/civitas/$(echo "$VAR" | sha256sum | cut -c1-16)/pg"
	fi
}
PG=$(pg_dir)

write_env() {
	local secret webhook
	[ -s "$VAR/secret" ] || (umask 077; head -c 48 /dev/urandom | base64 -w0 > "$VAR/secret")
	[ -s "$VAR/webhook-secret" ] || (umask 077; head -c 48 /dev/urandom | base64 -w0 > "$VAR/webhook-secret")
	secret=$(cat "$VAR/secret")
	webhook=$(cat "$VAR/webhook-secret")
	cat > "$VAR/env" <<ENV
export CIVITAS_VAR='$VAR'
export CIVITAS_ROOT='$BIN_DIR/share'
export DATABASE_URL='postgresql://civitas@/civitas?host=$PG/run'
export REDIS_URL='unix://$RUN/redis.sock'
export SMTP_URL='smtp://127.0.0.1:$SMTP_PORT'
export APP_SECRET='$secret'
export BOUNCE_WEBHOOK_SECRET='$webhook'
export BASE_URL='http://127.0.0.1:$HTTP_PORT'
export LISTEN='unix:$RUN/fcgi.sock'
export WORKERS='$WORKERS'
export HTTP_PORT='$HTTP_PORT'
export SMTP_PORT='$SMTP_PORT'
export TRUSTED_PROXY='$TRUSTED_PROXY'
export MAIL_FROM='civitas <no-reply@civitas.localhost>'
export MAIL_RETRY_BASE='${MAIL_RETRY_BASE:-30}'
export BIN_DIR='$BIN_DIR'
export PUBLIC_DIR='$BIN_DIR/share/public'
export DEGRADED_FILE='$RUN/degraded'
ENV
	write_env_paybox
}

# Donations (issue 10): the fake Paybox provider's settings and keys.
write_env_paybox() {
	local key=$VAR/paybox/key.pem pub=$VAR/paybox/pubkey.pem hmac
	mkdir -p "$VAR/paybox"
	if [ ! -s "$key" ] || [ ! -s "$pub" ]; then
		(umask 077; openssl genrsa -out "$key.tmp" 2048 2>/dev/null &&
			mv "$key.tmp" "$key")
		openssl rsa -in "$key" -pubout -out "$pub" 2>/dev/null
	fi
	[ -s "$VAR/paybox-hmac" ] || (umask 077; head -c 64 /dev/urandom |
		od -An -tx1 | tr -d ' \n' > "$VAR/paybox-hmac")
	hmac=$(cat "$VAR/paybox-hmac")
	cat >> "$VAR/env" <<ENV
export PAYBOX_PORT='$PAYBOX_PORT'
export PAYBOX_URL='http://127.0.0.1:$PAYBOX_PORT/cgi/MYchoix_pagepaiement.cgi'
export PAYBOX_RESABON_URL='http://127.0.0.1:$PAYBOX_PORT/cgi-bin/ResAbon.cgi'
export PAYBOX_SITE='1999888'
export PAYBOX_RANG='32'
export PAYBOX_IDENTIFIANT='107904482'
export PAYBOX_HMAC_KEY='$hmac'
export PAYBOX_PUBKEY='$pub'
ENV
}

wait_for() {	# wait_for SECONDS DESCRIPTION COMMAND...: bounded in time,
	# however long each try takes (each try must bound itself too)
	local end=$((SECONDS + $1)) what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "stack: $what did not come up (see $LOG)" >&2
			return 1
		fi
		sleep 0.1
	done
}

# A zombie (exited, not yet reaped) counts as dead.
running() {
	kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
alive() { local p; p=$(cat "$RUN/$1.pid" 2>/dev/null) && [ -n "$p" ] && running "$p"; }

start_pg() {
	mkdir -p "$PG/run"
	if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$(dirname "$PG")"; fi
	if [ ! -s "$PG/data/PG_VERSION" ]; then
		as_pg "$PGBIN/initdb" -D "$PG/data" -U civitas -A trust -E UTF8 \
			--locale=C.UTF-8 >"$LOG/initdb.log" 2>&1
	fi
	local opts="-k $PG/run -c listen_addresses=${DB_LISTEN:-} -c max_connections=200"
	# issue 13: the cluster's database host, reached over TCP
	if [ -n "${DB_LISTEN:-}" ] && [ -n "${DB_CLIENTS:-}" ] &&
		! grep -q "^host all civitas $DB_CLIENTS trust" "$PG/data/pg_hba.conf"; then
		echo "host all civitas $DB_CLIENTS trust" | as_pg tee -a "$PG/data/pg_hba.conf" >/dev/null
	fi
	opts="$opts -c shared_buffers=128MB"
	[ -n "${PG_FAST:-}" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if ! as_pg "$PGBIN/pg_ctl" -D "$PG/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$PG/data" -o "$opts" -l "$PG/postgres.log" \
			-w -t 60 start >/dev/null
	fi
	psql -X -q -d "postgresql://civitas@/postgres?host=$PG/run" -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'civitas'" | grep -q 1 ||
		psql -X -q -d "postgresql://civitas@/postgres?host=$PG/run" \
			-c "CREATE DATABASE civitas"
}

start() {
	mkdir -p "$RUN" "$LOG" "$VAR/mail" "$VAR/redis"
	write_env
	# shellcheck disable=SC1091
	. "$VAR/env"
	[ -x "$BIN_DIR/civitas-fcgi" ] || { echo "stack: build first (make)" >&2; exit 1; }
	start_pg
	"$top/scripts/migrate.sh" >>"$LOG/migrate.log"
	start_redis
	if ! alive smtp; then
		/usr/bin/python3 "$top/scripts/smtp-sink.py" --host 127.0.0.1 \
			--port "$SMTP_PORT" --dir "$VAR/mail" --log "$LOG/smtp.log" \
			--inbound-command "$BIN_DIR/civitas-fcgi inbound" \
			>>"$LOG/smtp.log" 2>&1 &
		echo $! > "$RUN/smtp.pid"
		wait_for 10 "smtp sink" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT"
	fi
	# Donations (issue 10): the fake payment provider.
	if ! alive paybox; then
		/usr/bin/python3 "$top/scripts/fake-paybox" --host 127.0.0.1 \
			--port "$PAYBOX_PORT" --key "$VAR/paybox/key.pem" \
			--site "$PAYBOX_SITE" --rang "$PAYBOX_RANG" \
			--identifiant "$PAYBOX_IDENTIFIANT" \
			--notify-url "$BASE_URL/donate/notify" \
			--state "$VAR/paybox/state.json" --log "$LOG/paybox.log" \
			>>"$LOG/paybox.log" 2>&1 &
		echo $! > "$RUN/paybox.pid"
		wait_for 10 "fake paybox" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PAYBOX_PORT"
	fi
	if ! alive fcgi; then
		"$BIN_DIR/civitas-fcgi" serve >>"$LOG/fcgi.log" 2>&1 &
		echo $! > "$RUN/fcgi.pid"
		wait_for 10 "fastcgi master" test -S "$RUN/fcgi.sock"
	fi
	if ! alive mailer; then
		"$BIN_DIR/civitas-mailer" >>"$LOG/mailer.log" 2>&1 &
		echo $! > "$RUN/mailer.pid"
	fi
	if ! alive nginx; then
		"$top/scripts/nginx-conf.sh" >/dev/null
		nginx -c "$VAR/nginx/nginx.conf" -p "$VAR/nginx/" 2>>"$LOG/nginx-error.log"
		wait_for 10 nginx test -s "$RUN/nginx.pid"
	fi
	wait_for 20 "the site" curl -sf --max-time 2 -o /dev/null \
		"http://127.0.0.1:$HTTP_PORT/health"
}

# issue 13: a streaming replica of the cluster, in $PG/replica, on its own
# socket directory, made once by pg_basebackup (-R: it follows the primary
# through the local replication connection initdb's trust rule allows).
start_replica() {
	local rdir=$PG/replica opts
	mkdir -p "$rdir/run"
	if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$rdir"; fi
	if [ ! -s "$rdir/data/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_basebackup" -d "postgresql://civitas@/?host=$PG/run" \
			-D "$rdir/data" -R -X stream -c fast >"$LOG/replica-basebackup.log" 2>&1
	fi
	opts="-k $rdir/run -c listen_addresses= -c hot_standby=on -c max_connections=200"
	[ -n "${PG_FAST:-}" ] && opts="$opts -c fsync=off"
	if ! as_pg "$PGBIN/pg_ctl" -D "$rdir/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$rdir/data" -o "$opts" -l "$rdir/postgres.log" \
			-w -t 60 start >/dev/null
	fi
	echo "postgresql://civitas@/civitas?host=$rdir/run"
}

start_redis() {
	mkdir -p "$RUN" "$LOG" "$VAR/redis"
	if ! alive redis; then
		local save='--save ""' aof=${REDIS_AOF:-} net="--port 0"
		[ -n "${PG_FAST:-}" ] || save="--save 60 1"
		# issue 13: sessions survive a restart (the append-only file)
		[ -n "$aof" ] || { [ -n "${PG_FAST:-}" ] && aof=no || aof=yes; }
		# (protected mode refuses every other host when there is no
		# password: the cluster's network is the private namespaces')
		[ -z "${DB_LISTEN:-}" ] ||
			net="--bind $DB_LISTEN --port ${REDIS_PORT:-6379} --protected-mode no"
		eval redis-server $net --unixsocket "$RUN/redis.sock" \
			--unixsocketperm 700 --dir "$VAR/redis" --daemonize yes \
			--pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log" "$save" \
			--appendonly "$aof" --appendfsync everysec
		wait_for 10 redis redis-cli -s "$RUN/redis.sock" ping
	fi
}

stop_pid() {	# stop_pid NAME: SIGTERM, wait up to 10 s, then SIGKILL
	local pid
	[ -s "$RUN/$1.pid" ] || return 0
	pid=$(cat "$RUN/$1.pid")
	if kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 100); do running "$pid" || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/$1.pid"
}

stop() {
	[ -d "$RUN" ] || return 0
	if alive nginx; then
		nginx -c "$VAR/nginx/nginx.conf" -p "$VAR/nginx/" -s quit 2>/dev/null || true
		for _ in $(seq 50); do alive nginx || break; sleep 0.1; done
	fi
	rm -f "$RUN/nginx.pid"
	stop_pid mailer
	stop_pid fcgi
	stop_pid smtp
	stop_pid paybox
	if alive redis; then
		redis-cli -s "$RUN/redis.sock" shutdown >/dev/null 2>&1 || true
		for _ in $(seq 50); do alive redis || break; sleep 0.1; done
	fi
	if [ -s "$PG/replica/data/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PG/replica/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	if [ -s "$PG/data/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

case $cmd in
start) start ;;
stop) stop ;;
env) write_env; cat "$VAR/env" ;;
replica) mkdir -p "$LOG"; start_replica ;;
admin)
	write_env
	# shellcheck disable=SC1091
	. "$VAR/env"
	# Only PostgreSQL is needed; leave the stack as it was found.
	was_up=$(alive fcgi && echo 1 || true)
	[ -n "$was_up" ] || { mkdir -p "$RUN" "$LOG"; start_pg; "$top/scripts/migrate.sh" >>"$LOG/migrate.log"; }
	"$BIN_DIR/civitas-fcgi" admin "${3:?email}"
	[ -n "$was_up" ] || as_pg "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null
	;;
# issue 13, many hosts: the database host of scripts/cluster.sh
db)
	mkdir -p "$RUN" "$LOG"
	write_env
	# shellcheck disable=SC1091
	. "$VAR/env"
	start_pg
	"$top/scripts/migrate.sh" >>"$LOG/migrate.log"
	start_redis
	;;
redis) start_redis ;;
*) echo "usage: stack.sh start|stop|env|admin|replica|db|redis DIR" >&2; exit 2 ;;
esac
