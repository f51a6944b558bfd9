"""Requests run again when the database asks for it.

PostgreSQL ends a transaction it picked as a deadlock victim, or one it could
not serialize, with an error that means "try again": nothing was kept, and the
same work may well succeed the next time. A request is one transaction that
commits before its answer is sent, so the whole request can safely run again
as long as nothing has been sent yet. The body is read once and replayed.
"""

import asyncio
import random

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envplane.core.logging import get_logger

log = get_logger(__name__)

# serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def asks_for_retry(error: BaseException) -> bool:
    """Whether ``error`` is the database saying the transaction may be retried."""
    return isinstance(error, DBAPIError) and _sqlstate(error) in RETRYABLE_SQLSTATES


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE the driver reported with ``error``, if any."""
    return getattr(getattr(error, "orig", None), "sqlstate", None)


class RetryTransientErrors:
    """Run an HTTP request up to ``attempts`` times while it fails, before
    answering, with an error the database marks as retryable."""

    def __init__(self, app: ASGIApp, *, attempts: int = 4, backoff: float = 0.02):
        self.app = app
        self.attempts = attempts
        self.backoff = backoff

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        body = await _read_body(receive)
        for attempt in range(1, self.attempts + 1):
            answered, replayed = False, False

            async def replay() -> Message:
                # The body once, then whatever the client does next (leaving).
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def tracked(message: Message) -> None:
                nonlocal answered
                answered = True
                await send(message)

            try:
                await self.app(scope, replay, tracked)
                return
            except Exception as error:
                if answered or attempt == self.attempts or not asks_for_retry(error):
                    raise
                log.warning(
                    "database.transaction.retried",
                    method=scope["method"],
                    path=scope["path"],
                    attempt=attempt,
                    sqlstate=_sqlstate(error),
                )
                # Jittered, growing pauses keep the retried transactions from
                # colliding again in lockstep.
                await asyncio.sleep(self.backoff * attempt * (1 + random.random()))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
