"""Local stand-ins for the outside world of T-1, for any test: a robot (DingTalk, WeCom, or another
system's webhook) and an SMTP server, both on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

SECRET = "SEC0123456789abcdef"


class Robot:
    """A local robot: records each POST; answers what `answers` says (errcode, or a delay)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                parsed = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                robot.requests.append(
                    {
                        "path": parsed.path,
                        "query": query,
                        "body": body,
                        "raw": raw,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                answer = robot.answers.pop(0) if robot.answers else {}
                time.sleep(answer.get("delay", 0))
                code = answer.get("errcode", 0)
                if parsed.path == "/dingtalk" and "sign" in query and not robot.signed(query):
                    code = 310000  # DingTalk: "sign not match"
                if parsed.path == "/hook":  # our own webhook: checks our signature, answers 2xx or 5xx
                    mine = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
                    answer.setdefault("status", 200 if self.headers["X-OMS-Signature"] == mine else 401)
                payload = json.dumps({"errcode": code, "errmsg": "ok" if not code else "error"}).encode()
                self.send_response(answer.get("status", 200))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def signed(query: dict[str, str]) -> bool:
        digest = hmac.new(
            SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256
        ).digest()
        return base64.b64encode(digest).decode() == query["sign"]


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    yield r
    r.server.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """A local SMTP server (aiosmtpd) that keeps what it receives; points Django's mail at it."""

    def __init__(self, settings: Any) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        self.received: list[Any] = []
        received = self.received

        class Keep(Message):
            def handle_message(self, message: Any) -> None:
                received.append(message)

        port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=port)
        self.controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_SSL = settings.EMAIL_USE_TLS = False


@pytest.fixture
def mail_server(settings: Any) -> Iterator[MailServer]:
    server = MailServer(settings)
    yield server
    server.controller.stop()
