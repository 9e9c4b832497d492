#!/bin/bash
# issue 13, many hosts: a small civitas cluster on this machine, one Linux
# network namespace per host, joined by veth pairs to a bridge that lives in
# a namespace of its own. Addresses of 198.18.0.0/24 (the benchmarking
# range, RFC 2544); the root namespace's interfaces and routes are never
# touched (the veth pairs are created inside the namespaces), so no packet
# leaves the namespaces.
#
#   db     198.18.0.2   PostgreSQL (TCP, trusted from 198.18.0.0/24 only) and
#                       Redis (appendonly yes), by `stack.sh db`
#   front  198.18.0.10  nginx (127.0.0.1:HTTP_PORT inside the namespace; the
#                       upstream of the three worker hosts, from
#                       FCGI_UPSTREAMS by nginx-conf.sh) and the SMTP sink
#   w1..w3 198.18.0.11-13  `civitas-fcgi serve`, LISTEN=<address>:9000,
#                       FCGI_WEB_SERVER_ADDRS=198.18.0.10; the mail worker
#                       on w1
#
#   scripts/cluster.sh start [DIR]    start (DIR: var/cluster), with demo content
#                                     unless CLUSTER_DEMO=0, and the relay that
#                                     lets a browser reach the front host at
#                                     http://127.0.0.1:HTTP_PORT (scripts/
#                                     cluster-relay.py) unless CLUSTER_RELAY=0
#   scripts/cluster.sh stop [DIR]     stop everything and delete the namespaces
#                                     (also after a failed start)
#   scripts/cluster.sh status [DIR]   hosts, processes, /health
#   scripts/cluster.sh test           a fresh cluster in a temporary directory,
#                                     the mixed load with faults
#                                     (test/cluster/run.py), then stop; ends with
#                                     "N passed, N failed"
#   scripts/cluster.sh sh HOST [CMD...]   a command (a shell) on a host
# Faults (used by the test; HOST is w1, w2 or w3):
#   scripts/cluster.sh kill HOST [DIR]      SIGKILL every process of the host
#   scripts/cluster.sh restart HOST [DIR]   start its processes again
#   scripts/cluster.sh redis-stop|redis-start|redis-wipe [DIR]
#
# Settings (environment): CLUSTER_NS (namespace prefix, "civ"), HTTP_PORT
# (8090: nginx's port in the front namespace, and the relay's), SMTP_PORT
# (2525), WORKERS (per host, 3), PG_FAST, BIN_DIR (build; used as it is:
# run `make` first).
# Needs root (ip netns); re-runs itself with sudo otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
case $cmd in
kill | restart | sh) host=${2:?usage: cluster.sh $cmd HOST [DIR]}; shift ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E "$0" "$@"
fi
dir_arg=${2:-}
[ "$cmd" = sh ] && dir_arg=
NS=${CLUSTER_NS:-civ}
[[ $NS =~ ^[a-z][a-z0-9]{0,7}$ ]] || { echo "cluster: CLUSTER_NS must be 1-8 lowercase letters or digits" >&2; exit 2; }
HTTP_PORT=${HTTP_PORT:-8090}
SMTP_PORT=${SMTP_PORT:-2525}
WORKERS=${WORKERS:-3}
BIN_DIR=${BIN_DIR:-$top/build}
case $BIN_DIR in /*) ;; *) BIN_DIR=$top/$BIN_DIR ;; esac
NET=198.18.0
HOSTS="db front w1 w2 w3"
WORKER_HOSTS="w1 w2 w3"
declare -A ADDR=([db]=$NET.2 [front]=$NET.10 [w1]=$NET.11 [w2]=$NET.12 [w3]=$NET.13)

set_dir() {
	local d=${1:-$top/var/cluster}
	mkdir -p "$d"
	DIR=$(cd "$d" && pwd)
}

ns() { echo "$NS-$1"; }
in_ns() { local h=$1; shift; ip netns exec "$(ns "$h")" "$@"; }
ns_exists() { ip netns list | awk '{ print $1 }' | grep -qx "$(ns "$1")"; }

wait_for() {	# wait_for SECONDS WHAT COMMAND...
	local end=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "cluster: $what did not come up (logs in $DIR)" >&2
			return 1
		fi
		sleep 0.1
	done
}

# ---- network ------------------------------------------------------------

net_up() {
	local h br
	br=$(ns br)
	ip netns add "$br"
	ip -n "$br" link set lo up
	ip -n "$br" link add name br0 type bridge
	ip -n "$br" link set br0 up
	for h in $HOSTS; do
		ip netns add "$(ns "$h")"
		ip -n "$(ns "$h")" link set lo up
		# both ends are made inside the namespaces: nothing in the root one
		ip -n "$br" link add name "v-$h" type veth peer name eth0 netns "$(ns "$h")"
		ip -n "$br" link set "v-$h" master br0 up
		ip -n "$(ns "$h")" addr add "${ADDR[$h]}/24" dev eth0
		ip -n "$(ns "$h")" link set eth0 up
	done
}

# SIGTERM every process of a host, SIGKILL what is left after 5 s.
ns_kill_all() {
	local h=$1 sig=${2:-TERM} pids
	ns_exists "$h" || return 0
	pids=$(ip netns pids "$(ns "$h")" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill "-$sig" $pids 2>/dev/null || true
	for _ in $(seq 50); do
		[ -z "$(ip netns pids "$(ns "$h")" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	pids=$(ip netns pids "$(ns "$h")" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	sleep 0.2
}

# ---- hosts --------------------------------------------------------------

# The environment of every host: scripts/stack.sh's (secret, paths), with
# the cluster's addresses over it.
write_env() {
	cat "$DIR/db/env" - > "$DIR/env" <<ENV
# issue 13: the cluster (scripts/cluster.sh), over the stack's environment
export CLUSTER_NS='$NS'
export CLUSTER_DIR='$DIR'
export CIVITAS_VAR='$DIR/front'
export DATABASE_URL='postgresql://civitas@${ADDR[db]}:5432/civitas'
export REDIS_URL='redis://${ADDR[db]}:6379/0'
export SMTP_URL='smtp://${ADDR[front]}:$SMTP_PORT'
export BASE_URL='http://127.0.0.1:$HTTP_PORT'
export HTTP_PORT='$HTTP_PORT'
export SMTP_PORT='$SMTP_PORT'
export WORKERS='$WORKERS'
export BIN_DIR='$BIN_DIR'
export PUBLIC_DIR='$BIN_DIR/share/public'
export FCGI_WEB_SERVER_ADDRS='${ADDR[front]}'
export FCGI_UPSTREAMS='${ADDR[w1]}:9000 ${ADDR[w2]}:9000 ${ADDR[w3]}:9000'
ENV
}

db_env() {
	env DB_LISTEN="${ADDR[db]}" DB_CLIENTS="$NET.0/24" REDIS_AOF=yes \
		HTTP_PORT="$HTTP_PORT" SMTP_PORT="$SMTP_PORT" BIN_DIR="$BIN_DIR" "$@"
}

start_db() {
	db_env ip netns exec "$(ns db)" "$top/scripts/stack.sh" db "$DIR/db"
}

# A worker host: the master on its address, port 9000 (and the mail
# worker on w1). The pid files are only for status: stop and kill go by
# namespace.
start_worker() {
	local h=$1 log=$DIR/$1/log
	mkdir -p "$log" "$DIR/$h/run"
	(
		# shellcheck disable=SC1091
		. "$DIR/env"
		export LISTEN="${ADDR[$h]}:9000"
		# degraded mode: each host its own flag file, kept by the
		# master's follower
		export DEGRADED_FILE="$DIR/$h/run/degraded"
		exec ip netns exec "$(ns "$h")" "$BIN_DIR/civitas-fcgi" serve
	) >>"$log/fcgi.log" 2>&1 </dev/null &
	echo $! > "$DIR/$h/run/fcgi.pid"
	if [ "$h" = w1 ]; then
		(
			# shellcheck disable=SC1091
			. "$DIR/env"
			exec ip netns exec "$(ns "$h")" "$BIN_DIR/civitas-mailer"
		) >>"$log/mailer.log" 2>&1 </dev/null &
		echo $! > "$DIR/$h/run/mailer.pid"
	fi
	wait_for 20 "the workers of $h" in_ns "$h" bash -c \
		"ss -ltnH 'sport = :9000' | grep -q ."
}

start_front() {
	local f=$DIR/front
	mkdir -p "$f/log" "$f/run" "$f/mail"
	(
		# shellcheck disable=SC1091
		. "$DIR/env"
		exec ip netns exec "$(ns front)" /usr/bin/python3 \
			"$top/scripts/smtp-sink.py" --host "${ADDR[front]}" \
			--port "$SMTP_PORT" --dir "$f/mail" --log "$f/log/smtp.log" \
			--inbound-command "$BIN_DIR/civitas-fcgi inbound"
	) >>"$f/log/smtp.log" 2>&1 </dev/null &
	echo $! > "$f/run/smtp.pid"
	# Degraded mode (README, "Degraded mode"): the front host has no
	# master, so its own follower keeps the flag file its nginx reads.
	(
		# shellcheck disable=SC1091
		. "$DIR/env"
		export DEGRADED_FILE="$f/run/degraded"
		exec ip netns exec "$(ns front)" "$BIN_DIR/civitas-fcgi" mode-follow
	) >>"$f/log/mode-follow.log" 2>&1 </dev/null &
	echo $! > "$f/run/mode-follow.pid"
	(
		# shellcheck disable=SC1091
		. "$DIR/env"
		export DEGRADED_FILE="$f/run/degraded"
		"$top/scripts/nginx-conf.sh" 2>>"$f/log/nginx-conf.log"
		ip netns exec "$(ns front)" nginx -c "$f/nginx/nginx.conf" -p "$f/nginx/"
	) >>"$f/log/nginx-error.log" 2>&1 </dev/null
	wait_for 20 "the site through nginx" in_ns front curl -sf --max-time 2 \
		-o /dev/null "http://127.0.0.1:$HTTP_PORT/health"
}

start() {
	if ns_exists br; then
		echo "cluster: already running (namespaces $NS-*); scripts/cluster.sh stop first" >&2
		return 1
	fi
	[ -x "$BIN_DIR/civitas-fcgi" ] || { echo "cluster: build first (make)" >&2; return 1; }
	# a failed start leaves nothing behind
	trap 'echo "cluster: start failed, stopping what was started" >&2; stop' EXIT
	net_up
	start_db
	write_env
	local h
	for h in $WORKER_HOSTS; do start_worker "$h"; done
	start_front
	if [ "${CLUSTER_RELAY:-1}" != 0 ]; then
		/usr/bin/python3 "$top/scripts/cluster-relay.py" "$HTTP_PORT" \
			"$(ns front)" >>"$DIR/front/log/relay.log" 2>&1 </dev/null &
	fi
	if [ "${CLUSTER_DEMO:-1}" != 0 ]; then
		(
			# shellcheck disable=SC1091
			. "$DIR/env"
			in_ns front "$top/scripts/demo.sh"
		) >"$DIR/demo.log" 2>&1 || { cat "$DIR/demo.log" >&2; return 1; }
	fi
	trap - EXIT
}

stop() {
	local h
	# the database first, cleanly (PostgreSQL's fast shutdown, Redis's
	# SHUTDOWN), from its unix sockets; then everything left, by namespace
	if [ -d "$DIR/db" ]; then
		db_env "$top/scripts/stack.sh" stop "$DIR/db" >/dev/null 2>&1 || true
	fi
	for h in front $WORKER_HOSTS db; do
		ns_kill_all "$h"
		ns_exists "$h" && ip netns del "$(ns "$h")"
	done
	ns_exists br && ip netns del "$(ns br)"
	rm -f "$DIR"/*/run/*.pid
	return 0
}

status() {
	local h
	for h in $HOSTS; do
		if ns_exists "$h"; then
			printf '%-6s %-12s %s processes\n' "$h" "${ADDR[$h]}" \
				"$(ip netns pids "$(ns "$h")" | wc -l)"
		else
			printf '%-6s %-12s down\n' "$h" "${ADDR[$h]}"
		fi
	done
	ns_exists front && in_ns front curl -s --max-time 3 \
		"http://127.0.0.1:$HTTP_PORT/health" && echo
}

redis_stop() {
	local pid
	pid=$(cat "$DIR/db/run/redis.pid" 2>/dev/null || true)
	# SHUTDOWN: the append-only file is written and synced first
	redis-cli -s "$DIR/db/run/redis.sock" shutdown >/dev/null 2>&1 || true
	for _ in $(seq 100); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$DIR/db/run/redis.pid"
}

redis_start() {
	db_env ip netns exec "$(ns db)" "$top/scripts/stack.sh" redis "$DIR/db"
}

usage() {
	echo "usage: cluster.sh start|stop|status [DIR] | test | kill|restart HOST [DIR] | redis-stop|redis-start|redis-wipe [DIR] | sh HOST [CMD...]" >&2
	exit 2
}

case $cmd in
start)
	set_dir "$dir_arg"
	start
	d=
	[ "$DIR" = "$top/var/cluster" ] || d="$DIR "
	[ "$NS" = civ ] || d="${d}(with CLUSTER_NS=$NS) "
	cat <<MSG

civitas cluster is up ($DIR):
$(status)
  the site:     http://127.0.0.1:$HTTP_PORT/ (through scripts/cluster-relay.py;
                inside: ip netns exec $NS-front curl http://127.0.0.1:$HTTP_PORT/)
  a shell:      scripts/cluster.sh sh front|w1|w2|w3|db
  faults:       scripts/cluster.sh kill w2 $d| restart w2 $d| redis-stop $d| redis-start $d
$(grep -A2 '^Demo accounts' "$DIR/demo.log" 2>/dev/null | sed 's/^/  /')
  logs:         $DIR/<host>/log/
  stop:         scripts/cluster.sh stop $d(make cluster-stop)
MSG
	;;
stop) set_dir "$dir_arg"; stop ;;
status) set_dir "$dir_arg"; status ;;
kill)
	set_dir "$dir_arg"
	case $host in w1 | w2 | w3) ;; *) usage ;; esac
	ns_kill_all "$host" KILL
	;;
restart)
	set_dir "$dir_arg"
	case $host in w1 | w2 | w3) ;; *) usage ;; esac
	start_worker "$host"
	;;
redis-stop) set_dir "$dir_arg"; redis_stop ;;
redis-start) set_dir "$dir_arg"; redis_start ;;
redis-wipe)
	set_dir "$dir_arg"
	redis_stop
	rm -rf "${DIR:?}/db/redis"
	redis_start
	;;
sh)
	set_dir ""
	shift
	if [ $# -eq 0 ]; then set -- bash; fi
	# shellcheck disable=SC1091
	[ -s "$DIR/env" ] && . "$DIR/env"
	exec ip netns exec "$(ns "$host")" "$@"
	;;
test)
	# namespaces of their own (a `make cluster` may be up), PostgreSQL
	# without fsync as in the other tests (Redis keeps its append-only file)
	if [ -z "${CLUSTER_NS:-}" ]; then NS=civt; export CLUSTER_NS=civt; fi
	export PG_FAST=${PG_FAST:-1}
	if ! ip netns add "$NS-probe" 2>"/tmp/civitas-netns.$$"; then
		echo "cluster: cannot create network namespaces here: $(cat "/tmp/civitas-netns.$$")"
		rm -f "/tmp/civitas-netns.$$"
		echo "0 passed, 1 failed"
		exit 1
	fi
	ip netns del "$NS-probe"
	rm -f "/tmp/civitas-netns.$$"
	tmp=$(mktemp -d /tmp/civitas-cluster.XXXXXX)
	chmod 755 "$tmp"
	set_dir "$tmp/c"
	trap 'stop' EXIT
	rc=0
	# a process of its own: "set -e" holds in start (not in "a || b")
	t0=$SECONDS
	CLUSTER_RELAY=0 "$0" start "$DIR" >"$tmp/start.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/start.out"
		echo "cluster: the cluster did not start; logs kept in $tmp"
		trap - EXIT
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "cluster: started in $((SECONDS - t0)) s ($DIR)"
	(
		# shellcheck disable=SC1091
		. "$DIR/env"
		exec ip netns exec "$(ns front)" /usr/bin/python3 "$top/test/cluster/run.py"
	) | tee "$tmp/run.out" || rc=$?	# (pipefail: run.py's status)
	stop
	trap - EXIT
	result=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/run.out" | tail -n 1 || true)
	# under ASan (scripts/test.sh ASAN=1), any report fails
	if [ -n "${ASAN:-}" ] && reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$DIR"/*/log/*.log 2>/dev/null); then
		echo "cluster: sanitizer reports in: $reports"
		rc=1
		p=$(echo "$result" | cut -d' ' -f1) f=$(echo "$result" | cut -d' ' -f3)
		result="${p:-0} passed, $((${f:-0} + 1)) failed"
	fi
	if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; else echo "cluster: logs kept in $tmp"; fi
	# the result line last, for scripts/test.sh
	echo "${result:-0 passed, 1 failed}"
	exit "$rc"
	;;
*) usage ;;
esac
