#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reach the namespace cluster's nginx from this machine's browser (issue
13, scripts/cluster.sh start): listens on 127.0.0.1:PORT of the root
network namespace, then moves itself into the front host's namespace, where
every connection it accepts is relayed to nginx (127.0.0.1:PORT there).
The listening socket stays in the namespace it was made in; nothing else
of the root namespace is touched.

    cluster-relay.py PORT NETNS
"""

import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(conn, port):
    try:
        up = socket.create_connection(("127.0.0.1", port), timeout=10)
        up.settimeout(None)
    except OSError:
        conn.close()
        return
    back = threading.Thread(target=pump, args=(up, conn), daemon=True)
    back.start()
    pump(conn, up)
    back.join()
    conn.close()
    up.close()


def main():
    port, netns = int(sys.argv[1]), sys.argv[2]
    listener = socket.create_server(("127.0.0.1", port))
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit("cluster-relay: setns %s: %s" % (
            netns, os.strerror(ctypes.get_errno())))
    os.close(fd)
    # threads made from now on live in the front namespace
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, port), daemon=True).start()


if __name__ == "__main__":
    main()
