#!/bin/bash
# Generate the LOCAL nginx configuration (make run, tests) from the
# production file nginx/civitas.conf, by substitution. There is no second
# hand-written copy: whatever nginx/civitas.conf does, the local nginx does.
#
# Environment (required):
#   CIVITAS_VAR    absolute runtime directory (e.g. /work/main/var)
#   HTTP_PORT      port to listen on, on 127.0.0.1 (e.g. 8080)
#   TRUSTED_PROXY  address (or CIDR) allowed to set X-Forwarded-For
#                  (e.g. 127.0.0.2)
#   PUBLIC_DIR     absolute path of the static root (e.g. .../build/public)
# Environment (optional):
#   NGINX_RATE_PAGES  rate of the "civitas_pages" and "civitas_images"
#                     zones (default from civitas.conf: 30r/s), written
#                     like nginx: 500r/s, 10r/m
#   NGINX_RATE_AUTH   rate of the "civitas_auth" zone (default 10r/m)
#   NGINX_RATE_STEPS  rate of the "civitas_steps" zone (default 20r/m;
#                     issue 10: the steps of "Convaincre un ami")
#   NGINX_CACHE       "on" (default) or "off": "off" turns nginx's
#                     caches off (the micro-cache of public pages and the
#                     image cache), every request then reaches a worker
#   NGINX             nginx binary (default: nginx from PATH, or /usr/sbin/nginx)
#   PAYBOX_URL        the payment page of the (fake) provider: the CSP's
#                     form-action names its origin instead of Paybox's hosts
#   FCGI_UPSTREAMS    issue 13, many hosts: worker hosts separated by
#                     spaces, each host:port ("198.18.0.11:9000 ..."); the
#                     upstream's unix socket line becomes one "server" line
#                     per host, with the parameters of civitas.conf's
#                     commented example ("server 10.0.0.11:9000 ...;")
#
# Output: $CIVITAS_VAR/nginx/nginx.conf, a complete main configuration, to
# be used as
#   nginx -c $CIVITAS_VAR/nginx/nginx.conf -p $CIVITAS_VAR/nginx/
# (nginx daemonizes; pid in $CIVITAS_VAR/run/nginx.pid; stop with the same
# -c/-p and "-s quit"). The file is checked with "nginx -t" before it
# replaces the previous one; on failure the script exits non-zero, prints
# nginx's error and leaves the rejected file as nginx.conf.invalid.
#
# Substitutions made in nginx/civitas.conf (each production line must be
# found exactly once, else the script fails):
#   listen 80;                               -> listen 127.0.0.1:$HTTP_PORT;
#   server unix:/run/civitas/fcgi.sock;      -> server unix:$CIVITAS_VAR/run/fcgi.sock;
#                                            (FCGI_UPSTREAMS: server HOST:PORT PARAMS; each)
#   root /usr/share/civitas/public;          -> root $PUBLIC_DIR;
#   if (-f /run/civitas/degraded) {         -> if (-f $DEGRADED_FILE) {
#                                            (default $CIVITAS_VAR/run/degraded;
#                                            issue 13, degraded mode)
#   set_real_ip_from 127.0.0.1;              -> set_real_ip_from $TRUSTED_PROXY;
#   access_log /var/log/nginx/civitas-access.log ...; -> $CIVITAS_VAR/log/nginx-access.log ...;
#   error_log /var/log/nginx/civitas-error.log;   -> $CIVITAS_VAR/log/nginx-error.log
#   fastcgi_cache_path /var/cache/nginx/civitas/X ... -> $CIVITAS_VAR/nginx/cache/X ...
#                                            (each cache: micro, img)
#   fastcgi_cache civitas_...;               -> fastcgi_cache off; (NGINX_CACHE=off)
#   zone=civitas_pages:... rate=30r/s;       -> rate=$NGINX_RATE_PAGES (if set)
#   zone=civitas_images:... rate=30r/s;      -> rate=$NGINX_RATE_PAGES (if set)
#   zone=civitas_auth:... rate=10r/m;        -> rate=$NGINX_RATE_AUTH (if set)
#   zone=civitas_steps:... rate=20r/m;       -> rate=$NGINX_RATE_STEPS (if set)
#   include civitas/X;                       -> include <repo>/nginx/X;
# The last one is needed because nginx resolves relative include paths
# against the directory of the main config ($CIVITAS_VAR/nginx/ here,
# /etc/nginx/ in production), not against the including file.
#
# Works as root (the workers then run as root too, "user root;", so they
# can reach files and the socket under $CIVITAS_VAR) and as a normal user
# (no user directive).

set -euo pipefail

prog=nginx-conf.sh
die() {
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit 1
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
src=$repo/nginx/civitas.conf
[ -r "$src" ] || die "cannot read $src"

# ---- inputs ---------------------------------------------------------------

# Characters allowed in paths written into the nginx config unquoted.
path_re='^/[A-Za-z0-9._/+,@%=~:-]*$'

check_path() { # name value
    [ -n "$2" ] || die "$1 is not set"
    [[ $2 =~ $path_re ]] ||
        die "$1 must be an absolute path made of [A-Za-z0-9._/+,@%=~:-] (got '$2')"
}

CIVITAS_VAR=${CIVITAS_VAR:-}
HTTP_PORT=${HTTP_PORT:-}
TRUSTED_PROXY=${TRUSTED_PROXY:-}
PUBLIC_DIR=${PUBLIC_DIR:-}
NGINX_RATE_PAGES=${NGINX_RATE_PAGES:-}
NGINX_RATE_AUTH=${NGINX_RATE_AUTH:-}
NGINX_RATE_STEPS=${NGINX_RATE_STEPS:-}	# issue 10
NGINX_CACHE=${NGINX_CACHE:-on}
case $NGINX_CACHE in
on | off) ;;
*) die "NGINX_CACHE must be on or off (got '$NGINX_CACHE')" ;;
esac

check_path CIVITAS_VAR "$CIVITAS_VAR"
check_path PUBLIC_DIR "$PUBLIC_DIR"
check_path "the repository path" "$repo"
# Drop trailing slashes (keep "/" itself).
CIVITAS_VAR=${CIVITAS_VAR%"${CIVITAS_VAR##*[!/]}"}; CIVITAS_VAR=${CIVITAS_VAR:-/}
PUBLIC_DIR=${PUBLIC_DIR%"${PUBLIC_DIR##*[!/]}"}; PUBLIC_DIR=${PUBLIC_DIR:-/}

if ! [[ $HTTP_PORT =~ ^[0-9]{1,5}$ ]] || [ "$((10#$HTTP_PORT))" -lt 1 ] ||
    [ "$((10#$HTTP_PORT))" -gt 65535 ]; then
    die "HTTP_PORT must be a port number 1-65535 (got '$HTTP_PORT')"
fi
HTTP_PORT=$((10#$HTTP_PORT))

[[ $TRUSTED_PROXY =~ ^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$ ]] ||
    die "TRUSTED_PROXY must be an IP address or CIDR, e.g. 127.0.0.2 (got '$TRUSTED_PROXY')"

for v in NGINX_RATE_PAGES NGINX_RATE_AUTH NGINX_RATE_STEPS; do
    r=${!v}
    [ -z "$r" ] || [[ $r =~ ^[1-9][0-9]*r/[sm]$ ]] ||
        die "$v must be an nginx rate such as 30r/s or 10r/m (got '$r')"
done

if [ -n "${NGINX:-}" ]; then
    nginx_bin=$NGINX
elif command -v nginx >/dev/null 2>&1; then
    nginx_bin=$(command -v nginx)
elif [ -x /usr/sbin/nginx ]; then
    nginx_bin=/usr/sbin/nginx # not in a normal user's PATH on Debian
else
    die "nginx not found (install nginx-light, or set NGINX)"
fi

# The snippets are included from the repository as they are: they must not
# include other files (a relative include would resolve in $CIVITAS_VAR).
for f in "$repo"/nginx/*.conf; do
    [ "$f" = "$src" ] && continue
    if grep -Eq '^[[:space:]]*include[[:space:]]' "$f"; then
        die "$f must not contain include directives (see nginx/civitas.conf)"
    fi
done

[ -d "$PUBLIC_DIR" ] ||
    printf '%s: warning: PUBLIC_DIR %s does not exist (yet)\n' "$prog" "$PUBLIC_DIR" >&2

# ---- substitution -----------------------------------------------------------

# Escape a value for the replacement part of a sed s||| command.
esc() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

sed_args=()
# subst NAME ERE REPLACEMENT [COUNT]: the ERE (anchored at the start of a
# directive, so comments never match) must match COUNT lines (default 1;
# "+" = at least one) of civitas.conf.
subst() {
    local name=$1 re=$2 repl=$3 want=${4:-1} n
    n=$(grep -cE "$re" "$src" || true)
    if [ "$want" = + ]; then
        [ "$n" -ge 1 ] || die "nginx/civitas.conf: no line matches /$re/ ($name)"
    else
        [ "$n" -eq "$want" ] ||
            die "nginx/civitas.conf: $n lines match /$re/ ($name), expected $want"
    fi
    sed_args+=(-e "s|$re|$repl|")
}

ws='^([[:space:]]*)'
subst listen "${ws}listen 80;" "\\1listen 127.0.0.1:$HTTP_PORT;"
# issue 13, many hosts: FCGI_UPSTREAMS replaces the unix socket by one
# line per worker host, with the parameters of the commented example line
# of civitas.conf (found exactly once, like every substitution).
FCGI_UPSTREAMS=${FCGI_UPSTREAMS:-}
if [ -n "$FCGI_UPSTREAMS" ]; then
    ex_re='^[[:space:]]*#[[:space:]]*server 10\.0\.0\.11:9000 ([a-z_]+=[0-9a-z]+( [a-z_]+=[0-9a-z]+)*);$'
    n=$(grep -cE "$ex_re" "$src" || true)
    [ "$n" -eq 1 ] ||
        die "nginx/civitas.conf: $n lines match /$ex_re/ (the many-host example), expected 1"
    up_params=$(sed -nE "s/$ex_re/\\1/p" "$src")
    up_lines=
    for h in $FCGI_UPSTREAMS; do
        [[ $h =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$ ]] ||
            die "FCGI_UPSTREAMS must be host:port words separated by spaces (got '$h')"
        up_lines="$up_lines${up_lines:+\\n\\1}server $h $up_params;"
    done
    subst upstream "${ws}server unix:/run/civitas/fcgi\\.sock;" "\\1$up_lines"
else
    subst upstream "${ws}server unix:/run/civitas/fcgi\\.sock;" \
        "\\1server unix:$(esc "$CIVITAS_VAR")/run/fcgi.sock;"
fi
subst root "${ws}root /usr/share/civitas/public;" "\\1root $(esc "$PUBLIC_DIR");"
# issue 13: degraded mode's flag file (DEGRADED_FILE, as the workers get it)
subst degraded "${ws}if \\(-f /run/civitas/degraded\\) \\{" \
    "\\1if (-f $(esc "${DEGRADED_FILE:-$CIVITAS_VAR/run/degraded}")) {"
subst set_real_ip_from "${ws}set_real_ip_from 127\\.0\\.0\\.1;" \
    "\\1set_real_ip_from $TRUSTED_PROXY;"
subst access_log "${ws}access_log /var/log/nginx/civitas-access\\.log([ ;])" \
    "\\1access_log $(esc "$CIVITAS_VAR")/log/nginx-access.log\\2"
subst error_log "${ws}error_log /var/log/nginx/civitas-error\\.log;" \
    "\\1error_log $(esc "$CIVITAS_VAR")/log/nginx-error.log;"
subst cache_path "${ws}fastcgi_cache_path /var/cache/nginx/civitas/([a-z]+) " \
    "\\1fastcgi_cache_path $(esc "$CIVITAS_VAR")/nginx/cache/\\2 " +
cache_re="${ws}fastcgi_cache civitas_[a-z]+;"
if [ "$NGINX_CACHE" = off ]; then
    subst cache "$cache_re" "\\1fastcgi_cache off;" +
else
    subst cache "$cache_re" "&" +
fi
pages_re="${ws}(limit_req_zone .* zone=civitas_pages:[0-9]+[km] rate=)[0-9]+r/[sm];"
# The image zone has the pages' rate (a larger burst, set in civitas.conf).
images_re="${ws}(limit_req_zone .* zone=civitas_images:[0-9]+[km] rate=)[0-9]+r/[sm];"
auth_re="${ws}(limit_req_zone .* zone=civitas_auth:[0-9]+[km] rate=)[0-9]+r/[sm];"
if [ -n "$NGINX_RATE_PAGES" ]; then
    subst "pages rate" "$pages_re" "\\1\\2$NGINX_RATE_PAGES;"
    subst "images rate" "$images_re" "\\1\\2$NGINX_RATE_PAGES;"
else
    subst "pages rate" "$pages_re" "&"
    subst "images rate" "$images_re" "&"
fi
if [ -n "$NGINX_RATE_AUTH" ]; then
    subst "auth rate" "$auth_re" "\\1\\2$NGINX_RATE_AUTH;"
else
    subst "auth rate" "$auth_re" "&"
fi
# issue 10: the steps of "Convaincre un ami"
steps_re="${ws}(limit_req_zone .* zone=civitas_steps:[0-9]+[km] rate=)[0-9]+r/[sm];"
if [ -n "$NGINX_RATE_STEPS" ]; then
    subst "steps rate" "$steps_re" "\\1\\2$NGINX_RATE_STEPS;"
else
    subst "steps rate" "$steps_re" "&"
fi
subst includes "${ws}include civitas/" "\\1include $(esc "$repo")/nginx/" +

site=$(sed -E "${sed_args[@]}" "$src")

# Donations (issue 10): the payment form posts to the provider's page, which
# the CSP's form-action names (Paybox's hosts in production). With
# PAYBOX_URL set (the local fake provider), a copy of security-headers.conf
# in $CIVITAS_VAR/nginx/ names its origin instead, and is included instead.
PAYBOX_URL=${PAYBOX_URL:-}
if [ -n "$PAYBOX_URL" ]; then
    pb_origin=$(printf '%s' "$PAYBOX_URL" | sed -nE 's|^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)(/.*)?$|\1|p')
    [ -n "$pb_origin" ] || die "PAYBOX_URL must be an http(s) URL (got '$PAYBOX_URL')"
    pb_re="form-action 'self' https://tpeweb\.paybox\.com https://tpeweb1\.paybox\.com;"
    grep -qE "$pb_re" "$repo/nginx/security-headers.conf" ||
        die "nginx/security-headers.conf: no form-action naming Paybox's hosts"
    mkdir -p "$CIVITAS_VAR/nginx"
    sed -E "s|$pb_re|form-action 'self' $pb_origin;|" \
        "$repo/nginx/security-headers.conf" > "$CIVITAS_VAR/nginx/security-headers.conf"
    site=$(printf '%s\n' "$site" | sed -E "s|include $(esc "$repo")/nginx/security-headers\.conf;|include $(esc "$CIVITAS_VAR")/nginx/security-headers.conf;|")
fi

# Nothing of the production environment may survive outside comments, and
# every remaining include must be absolute.
active=$(printf '%s\n' "$site" | sed -e 's/#.*//')
for bad in /run/civitas/ /usr/share/civitas/ /var/log/nginx/ /var/cache/nginx/; do
    # (unless the local setup really lives there)
    case $CIVITAS_VAR/ in "$bad"*) continue ;; esac
    case $PUBLIC_DIR/ in "$bad"*) continue ;; esac
    if printf '%s\n' "$active" | grep -qE -- "(^|[[:space:]:])$bad"; then
        die "production path $bad left after substitution (civitas.conf changed?)"
    fi
done
if printf '%s\n' "$active" | grep -qE -- '^[[:space:]]*listen[[:space:]]+80[;[:space:]]'; then
    die "production 'listen 80' left after substitution (civitas.conf changed?)"
fi
if printf '%s\n' "$active" | grep -Eq '^[[:space:]]*include[[:space:]]+[^/[:space:]]'; then
    die "relative include left after substitution (civitas.conf changed?)"
fi

# ---- write, test, install ---------------------------------------------------

conf_dir=$CIVITAS_VAR/nginx
tmp_dir=$conf_dir/tmp
out=$conf_dir/nginx.conf
mkdir -p "$CIVITAS_VAR/log" "$CIVITAS_VAR/run" "$conf_dir/cache" \
    "$tmp_dir/client_body" "$tmp_dir/fastcgi" "$tmp_dir/proxy" \
    "$tmp_dir/uwsgi" "$tmp_dir/scgi"

if [ "$(id -u)" -eq 0 ]; then
    user_line='user root;'
else
    user_line='# (no "user" directive: not generated as root)'
fi

new=$out.new.$$
trap 'rm -f "$new"' EXIT

{
    cat <<EOF
# GENERATED by scripts/nginx-conf.sh from nginx/civitas.conf: DO NOT EDIT,
# edit nginx/civitas.conf (or the snippets in nginx/) and regenerate.
# Run: nginx -c $out -p $conf_dir/

$user_line
worker_processes auto;
pid $CIVITAS_VAR/run/nginx.pid;
lock_file $CIVITAS_VAR/run/nginx.lock;
error_log $CIVITAS_VAR/log/nginx-error.log;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    types_hash_max_size 2048;

    access_log $CIVITAS_VAR/log/nginx-access.log;

    client_body_temp_path $tmp_dir/client_body;
    fastcgi_temp_path $tmp_dir/fastcgi;
    proxy_temp_path $tmp_dir/proxy;
    uwsgi_temp_path $tmp_dir/uwsgi;
    scgi_temp_path $tmp_dir/scgi;

    # ---- nginx/civitas.conf, with local values --------------------------

EOF
    printf '%s\n' "$site" | sed -E 's/^(.)/    \1/'
    printf '}\n'
} >"$new"

if ! test_out=$("$nginx_bin" -t -q -c "$new" -p "$conf_dir/" 2>&1); then
    mv -f "$new" "$out.invalid"
    {
        printf '%s: nginx REJECTED the generated configuration (kept as %s):\n' \
            "$prog" "$out.invalid"
        printf '%s\n' "$test_out" | sed -e "s|$(esc "$new")|$(esc "$out.invalid")|g"
    } >&2
    exit 1
fi
# Warnings, if any, are worth seeing.
[ -z "$test_out" ] || printf '%s\n' "$test_out" >&2

mv -f "$new" "$out"
rm -f "$out.invalid"
trap - EXIT
printf '%s: wrote %s\n' "$prog" "$out" >&2
