"""Errors every action may raise; views turn them into messages, the API into typed JSON."""

from __future__ import annotations

from collections.abc import Mapping


class ActionError(Exception):
    """A refused write; `message` is for the user, in their language."""

    code = "refused"
    status = 400  # the HTTP status the API answers with

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldErrors(ActionError):
    """Bad input: messages keyed by the field they concern; nothing was saved."""

    code = "invalid"
    status = 422

    def __init__(self, errors: Mapping[str, str | list[str]]) -> None:
        self.errors = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        super().__init__("；".join(f"{k}: {m}" for k, ms in self.errors.items() for m in ms))


class StaleVersion(ActionError):
    """The edit was based on an old version of the record; it is refused, never merged (DESIGN 6)."""

    code = "stale"
    status = 409


class NotAllowed(ActionError):
    code = "forbidden"
    status = 403


class IdempotencyKeyReused(ActionError):
    """DESIGN 6: an Idempotency-Key names one request; sent again with a different body it is
    refused, never answered with the first request's result (which would drop the second)."""

    code = "idempotency_key_reused"
    status = 422
