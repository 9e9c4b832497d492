#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""civitas SMTP sink: a local SMTP server that keeps every message as a file.

Usage:
    /usr/bin/python3 scripts/smtp-sink.py --host 127.0.0.1 --port 2525 \
        --dir var/mail [--log var/log/smtp.log] \
        [--inbound-command "build/civitas-fcgi inbound"]

Runs in the foreground until SIGTERM or SIGINT.  `--port 0` binds a free
port; the startup line written to the log always shows the real address:
    <iso time> smtp-sink listening on 127.0.0.1:2525 dir=/abs/var/mail pid=123

Storage
  * Every accepted message is written atomically (temporary file in the same
    directory, then link/rename) as <dir>/<name>.eml.  The content is the raw
    message as received (dot-unstuffed, line endings untouched) preceded by
    three header lines added by the sink:
        Received: from <helo> ([<peer ip>]) by civitas-smtp-sink ...; <date>
        X-Civitas-Envelope-From: <MAIL FROM address>
        X-Civitas-Envelope-To: <rcpt 1>, <rcpt 2>, ...
  * Campaign mail (envelope sender starting with "bounces+", the VERP
    address of a campaign recipient) goes to <dir>/campaigns/<name>.eml
    instead, so that scans of <dir> stay fast while a campaign of 45,000
    mails goes out.  They are not fsync'ed (the others are): the sink
    keeps up with a campaign (~4x faster), and a crash of the machine is
    no test scenario.
  * <name> is derived from the Message-ID header: angle brackets removed,
    every character outside [A-Za-z0-9._@-] replaced by "_", length capped.
    When the sanitised form differs from the real id (or was capped) a short
    hash of the real id is appended so that distinct ids never share a file.
    Messages without a Message-ID get "noid-<time>-<random>".

Idempotence (like big mailbox providers)
  * A message whose Message-ID was already stored (in the same directory) is
    not stored again; the client still gets "250" and the transaction is
    logged as "duplicate".

Delivery log
  * One line per DATA transaction that got an answer 250 and was stored,
    appended to <dir>/deliveries.log:
        <unix time> <message-id> <stored|duplicate> <rcpt1,rcpt2,...>
    <message-id> is the header value as sent (with its angle brackets, any
    whitespace replaced by "_"), or "-" when the message had none.
    Transactions refused by failure injection are not in this file (they are
    in the --log file), so the number of lines for a Message-ID is the number
    of times the message was actually transmitted.  Campaign transmissions
    are also appended, the same line, to <dir>/campaigns/deliveries.log.

Inbound mail (--inbound-command CMD)
  * A message to a recipient whose local part starts with "bounces+" or
    "unsubscribe+" (a bounce report to a VERP address, a mailto
    unsubscribe) is not stored: it is piped to `CMD <recipient>` on stdin,
    once per such recipient, as Postfix's pipe(8) transport would, and the
    DATA answer follows the command's exit status: 0 -> 250; 75
    (EX_TEMPFAIL), a command that cannot start or runs over 60 s -> 451
    (the sender retries); any other status -> 554.  Its output goes to the
    --log file, not to deliveries.log.  Other recipients of the same
    transaction are stored as usual once every command succeeded.  Without
    the option such mail is stored like any other.

Pipelining
  * PIPELINING (RFC 2920) is advertised: commands are read from the
    connection's buffer and answered in order, so MAIL, RCPT and DATA sent
    in one packet, or a command sent right after the end-of-data dot, are
    all answered.

Failure injection (tests of retry)
  * While a file <dir>/.fail exists, RCPT TO and DATA are answered with
        451 4.3.0 Temporary failure (test)
    Remove the file and the sink accepts mail again.  The check is made for
    every command, so no restart is needed.

Limits: messages up to 10 MiB (SIZE advertised), 8BITMIME and SMTPUTF8
accepted, no AUTH, no TLS.  Lines longer than 998 characters are refused
("500 Line too long") as RFC 5321 requires: senders must wrap/encode.

Requires Debian's python3-aiosmtpd (apt-get install -y python3-aiosmtpd).
"""

import argparse
import asyncio
import hashlib
import os
import re
import secrets
import shlex
import signal
import sys
import time
from email.utils import formatdate

try:
    from aiosmtpd.smtp import SMTP
except ImportError:  # pragma: no cover - depends on the host
    sys.stderr.write(
        "smtp-sink: the Python module 'aiosmtpd' is missing.\n"
        "Install it with: apt-get install -y python3-aiosmtpd\n"
        "and run this script with /usr/bin/python3.\n")
    sys.exit(3)

MAX_MESSAGE_SIZE = 10 * 1024 * 1024
MAX_NAME_LEN = 120
FAIL_REPLY = "451 4.3.0 Temporary failure (test)"
SINK_NAME = "civitas-smtp-sink"
CAMPAIGN_SENDER = "bounces+"
INBOUND_PREFIXES = ("bounces+", "unsubscribe+")
INBOUND_TIMEOUT = 60
EX_TEMPFAIL = 75
_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._@-]")


class Log:
    """Line-oriented log to a file (append, flushed per line) or stderr."""

    def __init__(self, path=None):
        self.path = path
        self.fh = None
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self.fh = open(path, "a", encoding="utf-8", buffering=1)

    def __call__(self, msg):
        line = "%s smtp-sink %s\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S%z"), msg)
        out = self.fh or sys.stderr
        try:
            out.write(line)
            out.flush()
        except (OSError, ValueError):
            pass

    def close(self):
        if self.fh:
            self.fh.close()
            self.fh = None


def header_block(raw):
    """Return the header part (bytes) of a raw message."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = raw.find(sep)
        if idx >= 0:
            return raw[:idx]
    return raw


def find_message_id(raw):
    """Return the Message-ID header value (unfolded, stripped) or None."""
    headers = header_block(raw).decode("utf-8", errors="replace")
    current = None
    fields = []
    for line in re.split(r"\r?\n", headers):
        if line[:1] in (" ", "\t") and current is not None:
            current += " " + line.strip()
            continue
        if current is not None:
            fields.append(current)
        current = line
    if current is not None:
        fields.append(current)
    for field in fields:
        name, sep, value = field.partition(":")
        if sep and name.strip().lower() == "message-id":
            value = value.strip()
            return value or None
    return None


def file_stem(message_id):
    """File name (without .eml) for a Message-ID, see the header comment."""
    bare = message_id.strip()
    if bare.startswith("<") and bare.endswith(">"):
        bare = bare[1:-1].strip()
    safe = _SAFE_CHARS.sub("_", bare)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if not safe or safe != bare or len(safe) > MAX_NAME_LEN:
        digest = hashlib.sha256(message_id.encode("utf-8", "surrogateescape"))
        safe = "%s-%s" % (safe[:MAX_NAME_LEN], digest.hexdigest()[:16])
    return safe


def random_stem():
    return "noid-%d-%s" % (time.time_ns(), secrets.token_hex(4))


def is_inbound(address):
    """Is address one of the platform's own (a VERP bounce address, a
    mailto unsubscribe)?"""
    local = (address or "").rpartition("@")[0]
    return local.startswith(INBOUND_PREFIXES)


class SinkHandler:
    def __init__(self, maildir, log, inbound_command=None):
        self.maildir = maildir
        self.campaigns = os.path.join(maildir, "campaigns")
        self.log = log
        self.inbound = shlex.split(inbound_command) if inbound_command \
            else None
        self.fail_flag = os.path.join(maildir, ".fail")
        self.deliveries = os.path.join(maildir, "deliveries.log")

    def failing(self):
        return os.path.exists(self.fail_flag)

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def pipe(self, rcpt, raw):
        """Run the inbound command for rcpt with raw on stdin; its exit
        status (EX_TEMPFAIL when it could not run or took too long)."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.inbound, rcpt, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
        except OSError as exc:
            self.log("inbound command for %s cannot run: %s" % (rcpt, exc))
            return EX_TEMPFAIL
        try:
            out, _ = await asyncio.wait_for(proc.communicate(raw),
                                            INBOUND_TIMEOUT)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            self.log("inbound command for %s killed after %ds" % (
                rcpt, INBOUND_TIMEOUT))
            return EX_TEMPFAIL
        for line in out.decode("utf-8", "replace").splitlines():
            self.log("inbound: %s" % line)
        self.log("INBOUND to=%s exit=%d (%d bytes)" % (
            rcpt, proc.returncode, len(raw)))
        return proc.returncode

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if self.failing():
            self.log("RCPT %s refused (.fail present)" % address)
            return FAIL_REPLY
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        if self.failing():
            self.log("DATA for %s refused (.fail present)" % ",".join(rcpts))
            return FAIL_REPLY
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if self.inbound:
            ours = [r for r in rcpts if is_inbound(r)]
            rcpts = [r for r in rcpts if not is_inbound(r)]
            for rcpt in ours:
                code = await self.pipe(rcpt, raw)
                if code == EX_TEMPFAIL:
                    return "451 4.3.0 Inbound command: try again later"
                if code != 0:
                    return "554 5.3.0 Inbound command failed (%d)" % code
            if not rcpts:
                return "250 2.0.0 OK inbound"
        try:
            status, name, msgid = self.store(session, envelope, raw, rcpts)
        except OSError as exc:
            self.log("cannot store message: %s" % exc)
            return "451 4.3.0 Cannot store message: %s" % exc.strerror
        self.log("DATA from=%s to=%s id=%s %s %s (%d bytes)" % (
            envelope.mail_from, ",".join(rcpts), msgid or "-", status, name,
            len(raw)))
        return "250 2.0.0 OK %s %s" % (status, name)

    def store(self, session, envelope, raw, rcpts):
        msgid = find_message_id(raw)
        stem = file_stem(msgid) if msgid else random_stem()
        campaign = (envelope.mail_from or "").startswith(CAMPAIGN_SENDER)
        directory = self.campaigns if campaign else self.maildir
        final = os.path.join(directory, stem + ".eml")
        eol = b"\r\n" if b"\r\n" in raw[:4096] or not raw else b"\n"
        peer = session.peer[0] if session.peer else "unknown"
        helo = session.host_name or "unknown"
        trace = [
            "Received: from %s ([%s]) by %s with %s; %s" % (
                helo, peer, SINK_NAME,
                "ESMTP" if session.extended_smtp else "SMTP",
                formatdate(localtime=True)),
            "X-Civitas-Envelope-From: %s" % (envelope.mail_from or ""),
            "X-Civitas-Envelope-To: %s" % ", ".join(rcpts),
        ]
        prefix = b"".join(
            t.encode("utf-8", "surrogateescape") + eol for t in trace)
        status = "stored"
        if msgid and os.path.exists(final):
            status = "duplicate"
        else:
            tmp = os.path.join(directory, ".tmp-%d-%s" % (
                os.getpid(), secrets.token_hex(6)))
            with open(tmp, "wb") as fh:
                fh.write(prefix)
                fh.write(raw)
                fh.flush()
                if not campaign:    # 45,000 fsyncs would take minutes
                    os.fsync(fh.fileno())
            try:
                if msgid:
                    # link() never replaces an existing file: first one wins.
                    try:
                        os.link(tmp, final)
                    except FileExistsError:
                        status = "duplicate"
                else:
                    os.rename(tmp, final)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        logged_id = re.sub(r"\s", "_", msgid) if msgid else "-"
        line = "%.3f %s %s %s\n" % (
            time.time(), logged_id, status,
            ",".join(re.sub(r"[\s,]", "_", r) for r in rcpts))
        logs = [self.deliveries]
        if campaign:
            logs.append(os.path.join(self.campaigns, "deliveries.log"))
        for path in logs:
            with open(path, "a", encoding="utf-8",
                      errors="surrogateescape") as fh:
                fh.write(line)
        return status, os.path.basename(final), msgid


async def serve(args, log):
    loop = asyncio.get_running_loop()
    handler = SinkHandler(args.dir, log, args.inbound_command)

    def factory():
        return SMTP(handler, data_size_limit=MAX_MESSAGE_SIZE,
                    enable_SMTPUTF8=True, decode_data=False,
                    hostname=SINK_NAME, ident="civitas smtp-sink",
                    timeout=300, loop=loop)

    try:
        server = await loop.create_server(factory, host=args.host,
                                          port=args.port, reuse_address=True)
    except OSError as exc:
        log("cannot listen on %s:%s: %s" % (args.host, args.port, exc))
        if log.fh:
            sys.stderr.write("smtp-sink: cannot listen on %s:%s: %s\n"
                             % (args.host, args.port, exc))
        return 2

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    addr = server.sockets[0].getsockname()
    log("listening on %s:%d dir=%s pid=%d" % (
        addr[0], addr[1], os.path.abspath(args.dir), os.getpid()))
    await stop.wait()
    log("stopping (signal received)")
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), timeout=5)
    except asyncio.TimeoutError:
        pass
    log("stopped")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Local SMTP server storing every message as a file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525,
                        help="0 picks a free port (see the log)")
    parser.add_argument("--dir", required=True,
                        help="where messages are stored")
    parser.add_argument("--log", help="log file (default: stderr)")
    parser.add_argument("--inbound-command", metavar="CMD",
                        help="pipe mail to bounces+/unsubscribe+ "
                        "addresses to `CMD <recipient>` (see above)")
    args = parser.parse_args(argv)
    os.makedirs(os.path.join(args.dir, "campaigns"), exist_ok=True)
    log = Log(args.log)
    try:
        return asyncio.run(serve(args, log))
    finally:
        log.close()


if __name__ == "__main__":
    sys.exit(main())
