#!/usr/bin/env python3
"""Holds PostgreSQL connections open until told to let go, for the connection-exhaustion chaos
scenario (tests/chaos/run.sh). Debian's python3 has no PostgreSQL driver, so this speaks just
enough of the wire protocol to log in to a trust-auth cluster on loopback and sit idle.

  hog.py PORT USER DATABASE COUNT

Opens up to COUNT connections (stopping early when the server refuses one, e.g. "too many
clients"), prints "held N" on stdout, then waits for SIGTERM, sends each connection a
Terminate message and exits 0.
"""
import signal
import socket
import struct
import sys


def read_message(sock):
    header = b""
    while len(header) < 5:
        chunk = sock.recv(5 - len(header))
        if not chunk:
            raise ConnectionError("server closed the connection")
        header += chunk
    kind, length = header[:1], struct.unpack("!i", header[1:])[0]
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            raise ConnectionError("server closed the connection")
        body += chunk
    return kind, body


def connect(port, user, database):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
    sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)  # protocol 3.0
    while True:
        kind, body = read_message(sock)
        if kind == b"E":
            # Fields are a type byte and a C string each; 'M' is the message.
            fields = {f[:1]: f[1:].decode(errors="replace") for f in body.split(b"\0") if f}
            sock.close()
            raise ConnectionRefusedError(fields.get("M", "refused"))
        if kind == b"R" and struct.unpack("!i", body[:4])[0] != 0:
            sock.close()
            raise ConnectionRefusedError("the cluster asks for a password; hog.py needs trust")
        if kind == b"Z":  # ReadyForQuery: logged in and idle
            sock.settimeout(None)
            return sock


def main():
    port, user, database, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    held = []
    for _ in range(count):
        try:
            held.append(connect(port, user, database))
        except (OSError, ConnectionError) as e:
            print(f"refused after {len(held)}: {e}", file=sys.stderr)
            break
    print(f"held {len(held)}", flush=True)
    # SIGTERM raises SystemExit out of the wait, so the connections are closed politely.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            signal.pause()
    finally:
        for sock in held:
            try:
                sock.sendall(b"X" + struct.pack("!i", 4))
                sock.close()
            except OSError:
                pass


if __name__ == "__main__":
    main()
