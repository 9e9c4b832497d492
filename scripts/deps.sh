#!/bin/sh
# Install the Debian 12 packages civitas needs to build, run and test.
# Root installs directly; other users go through sudo. Quiet when all present.
set -eu
PKGS="build-essential pkg-config git ca-certificates curl
libfcgi-dev libfcgi-bin spawn-fcgi libpq-dev libhiredis-dev libjansson-dev
libctpl-dev libsodium-dev
libvips-dev libvips-tools libcmark-dev
postgresql postgresql-contrib redis-server redis-tools nginx-light
python3 python3-aiosmtpd python3-icalendar iso-codes gettext-base
clang llvm libclang-rt-14-dev wrk procps psmisc iproute2 chromium
default-jre-headless
libcurl4-openssl-dev libssl-dev
python3-cryptography poppler-utils fonts-dejavu-core libcairo2-dev
libpango1.0-dev"
# (issue 10, donations: the fake Paybox provider signs with
# python3-cryptography; tax receipts are drawn with pango/cairo in DejaVu
# and read back in the tests with poppler-utils' pdftotext)
# issue 13, deployment: systemd-analyze, systemd-sysusers and
# systemd-tmpfiles check the units of deploy/systemd (test_deploy); the
# package only brings the tools here, nothing is started.
PKGS="$PKGS systemd"
# issue 13, metrics: promtool (Debian's prometheus package) checks the
# text of GET /metrics in the tests; the server it brings is not used.
PKGS="$PKGS prometheus"
# issue 13, admin accounts: the enrolment's QR code (libqrencode-dev), read
# back in the tests by zbarimg (zbar-tools)
PKGS="$PKGS libqrencode-dev zbar-tools"
# Any node >= 18 with npm will do (some images ship nodesource's build).
command -v node >/dev/null && command -v npm >/dev/null || PKGS="$PKGS nodejs npm"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "deps: missing packages:$missing (run as root or install sudo)" >&2
		exit 1
	}
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian starts the packaged services; civitas runs its own private ones.
for s in nginx redis-server postgresql prometheus; do	# prometheus: issue 13
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
