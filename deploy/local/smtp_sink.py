#!/usr/bin/python3
"""An SMTP server for tests: stores every message it accepts as a file, delivers nothing.

    /usr/bin/python3 deploy/local/smtp_sink.py DIR PORT

Listens on 127.0.0.1:PORT until SIGTERM/SIGINT. Each accepted message becomes DIR/<n>.eml:
two envelope lines (X-Sink-Mail-From, X-Sink-Rcpt-To), then the DATA exactly as received.
A file appears whole (written aside, then renamed), so a test never reads half a message.

What tests can provoke:
  - a recipient whose local part starts with "reject" gets 550 (a permanent refusal);
  - AUTH PLAIN/LOGIN is offered without TLS (loopback only) and accepts keel:secret;
    a message may also be sent without authenticating.
Uses Debian's python3-aiosmtpd, hence /usr/bin/python3 rather than whatever python3 is first.
"""
import itertools
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = b"keel", b"secret"


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        head = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        name = f"{os.getpid()}-{n:06d}.eml"
        partial = os.path.join(self.directory, "." + name + ".part")
        with open(partial, "wb") as f:
            f.write(head + envelope.original_content)
        os.rename(partial, os.path.join(self.directory, name))
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER,
        PASSWORD,
    )
    # handled=False: aiosmtpd then replies 535 itself (with the default it sends nothing).
    return AuthResult(success=ok, handled=False)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: smtp_sink.py DIR PORT")
    directory, port = sys.argv[1], int(sys.argv[2])
    os.makedirs(directory, exist_ok=True)
    controller = Controller(
        Sink(directory),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
        auth_required=False,
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"smtp sink on 127.0.0.1:{port}, messages in {directory}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
