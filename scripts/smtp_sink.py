"""An SMTP server on loopback that accepts every message and records it, to count e-mails sent.

    .venv/bin/python scripts/smtp_sink.py --port 2525 --record var/faults/mail.jsonl

Each accepted message is one JSON line: its X-Deflect-Ticket header, recipients and subject.
`--delay` holds each message before accepting it, like a slow mail server, so that a test can
have e-mails queued behind it.
"""

import argparse
import asyncio
import json
import sys
import threading
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, record: Path, delay: float = 0.0):
        self.record, self.delay = record, delay
        self.messages: list[dict] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default)
        entry = {
            "ticket": message.get("X-Deflect-Ticket"),
            "to": envelope.rcpt_tos,
            "subject": str(message.get("Subject", "")),
            "at": time.time(),
        }
        with self._lock:
            self.messages.append(entry)
            with self.record.open("a") as file:
                file.write(json.dumps(entry) + "\n")
        return "250 Message accepted for delivery"


class SmtpSink:
    """Started in a thread of the calling process; `messages` is what it accepted so far."""

    def __init__(self, record: Path, *, port: int = 2525, delay: float = 0.0):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("")
        self.handler = RecordingHandler(record, delay)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.port = port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[dict]:
        with self.handler._lock:
            return list(self.handler.messages)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--record", type=Path, default=Path("var/mail.jsonl"))
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with SmtpSink(args.record, port=args.port, delay=args.delay) as sink:
        sys.stdout.write(f"Recording e-mails sent to {sink.url} in {args.record}; Ctrl-C stops\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
