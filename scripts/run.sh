#!/bin/bash
# `make run`: the whole platform with demo content on http://127.0.0.1:8080,
# data under ./var (kept between runs). Ctrl-C (or `make stop`) stops it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export HTTP_PORT=${HTTP_PORT:-8080} SMTP_PORT=${SMTP_PORT:-2525}
scripts/stack.sh start var
# shellcheck disable=SC1091
. var/env
scripts/demo.sh
trap 'echo; echo "Stopping..."; scripts/stack.sh stop var; exit 0' INT TERM
cat <<MSG

civitas is running: $BASE_URL
  mail received:  var/mail/*.eml (campaigns: var/mail/campaigns/*.eml)
  fake Paybox:    http://127.0.0.1:$PAYBOX_PORT (the payment page of /donate; its log: var/log/paybox.log)
  logs:           var/log/
  stop:           Ctrl-C here, or \`make stop\` from another shell
MSG
# Stay in the foreground while the site is up (make stop ends it too).
while [ -s var/run/fcgi.pid ] && kill -0 "$(cat var/run/fcgi.pid)" 2>/dev/null; do
	sleep 1
done
echo "The stack was stopped."
