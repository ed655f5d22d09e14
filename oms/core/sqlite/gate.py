"""The writers' gate of a SQLite database file (issue 21, DESIGN 2; ADR 0020).

SQLite lets one writer at a time hold a database. A writer that finds it taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10, … up to 100 ms between tries, however soon the lock is
given back; with transactions of 2–3 ms the second process mostly sleeps. The gate is an
exclusive `flock` on a file beside the database, taken just before BEGIN IMMEDIATE and given back
after COMMIT or ROLLBACK: the kernel wakes a waiter the moment the holder lets go.

The gate only orders writers; it decides nothing. SQLite's own lock still keeps every write
transaction alone (a writer that does not use the gate — another program, a statement outside a
transaction — is kept out by SQLite as before), so a gate that cannot be used (its file cannot be
opened, a wait longer than the busy timeout) is skipped and the writer goes on as it did without
one. A waiter never holds a database lock (the gate comes before BEGIN); the kernel gives the gate
back when its holder's process ends.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from typing import Any

log = logging.getLogger(__name__)

# The connections of each thread that hold a gate, by file: a thread holding it does not wait for
# it again through a second connection to the same file (it would wait for itself).
_held = threading.local()


def _held_paths() -> set[str]:
    paths: set[str] | None = getattr(_held, "paths", None)
    if paths is None:
        paths = _held.paths = set()
    return paths


class WriterGate:
    """One connection's handle on the gate of one database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._held = False
        self._broken = False

    def _open(self) -> int | None:
        if self._fd is None and not self._broken:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
            except OSError as exc:  # a directory we may not write: no gate, SQLite alone as before
                self._broken = True
                log.warning("sqlite writers' gate %s not used: %s", self.path, exc)
        return self._fd

    def acquire(self, timeout: float) -> bool:
        """Wait for the gate (at most `timeout` seconds); False: go on without it."""
        paths = _held_paths()
        if self._held or self.path in paths:
            return False
        fd = self._open()
        if fd is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self._wait(fd, timeout):
                return False
        except OSError as exc:  # e.g. a file system without flock
            self._give_up(exc)
            return False
        self._held = True
        paths.add(self.path)
        return True

    def _wait(self, fd: int, timeout: float) -> bool:
        """The blocking wait runs in a helper thread so that it is bounded: the kernel's flock has
        no timeout. A waiter that gives up leaves the gate to the helper, which lets go of it as
        soon as it has it, and this connection goes on without a gate from then on."""
        got = threading.Event()
        state: dict[str, Any] = {"abandoned": False, "error": None}
        guard = threading.Lock()

        def wait() -> None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                state["error"] = exc
                got.set()
                return
            with guard:
                if state["abandoned"]:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                    return
                got.set()

        threading.Thread(target=wait, name="sqlite-gate", daemon=True).start()
        got.wait(timeout)
        with guard:
            if got.is_set() and state["error"] is None:
                return True
            state["abandoned"] = True
        if state["error"] is not None:  # the helper has ended; the descriptor is still ours
            self.close()
        else:  # the helper owns the descriptor now and closes it
            self._fd = None
        self._give_up(state["error"] or TimeoutError(f"waited {timeout} s"))
        return False

    def _give_up(self, exc: BaseException) -> None:
        self._broken = True
        log.warning("sqlite writers' gate %s not used: %s", self.path, exc)

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        _held_paths().discard(self.path)
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            except OSError as exc:  # closing the descriptor lets go of it in any case
                self.close()
                self._give_up(exc)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
