# SPDX-License-Identifier: MIT
"""Workers on TCP (issue 13, many hosts): a master of its own on a TCP
port, for test_fcgi_tcp and test_nginx_upstreams."""

import os
import socket
import subprocess
import tempfile

from civitas import ok, wait_until
from fixtures import fcgi_binary

__all__ = ["free_port", "Master"]


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Master:
    """civitas-fcgi serve with LISTEN and FCGI_WEB_SERVER_ADDRS of ours,
    as a context manager (stopped with SIGTERM on the way out)."""

    def __init__(self, listen, allowed=None, workers=2):
        self.listen = listen
        env = dict(os.environ, LISTEN=listen, WORKERS=str(workers))
        env.pop("FCGI_WEB_SERVER_ADDRS", None)
        if allowed is not None:
            env["FCGI_WEB_SERVER_ADDRS"] = allowed
        self.env = env
        self.out = tempfile.TemporaryFile()
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen([fcgi_binary(), "serve"],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=subprocess.STDOUT,
                                     env=self.env)
        wait_until(lambda: self.log().count("worker ready") >= 1 or
                   self.proc.poll() is not None, 20, 0.05,
                   "master on %s ready" % self.listen)
        ok(self.proc.poll() is None, "master on %s exited: %s" % (
            self.listen, self.log()))
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log = self.log()
        self.out.close()
        # its output is not in the stack's logs, which ASAN=1 checks
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                    "runtime error:"):
            if bad in log and exc[0] is None:
                raise AssertionError("sanitizer report from the master on "
                                     "%s: %s" % (self.listen, log[-2000:]))

    def log(self):
        self.out.seek(0)
        return self.out.read().decode("utf-8", "replace")
