"""Request-scoped plumbing shared by every resource's endpoints."""

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from envplane.core.crypto import SecretCipher


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler returns, before
    the response leaves, and rolled back if anything raises.

    Making a session touches no database, so it happens on the event loop;
    ending it does, so that runs in the thread pool, shielded from the
    request's cancellation so that the connection always goes back clean."""
    state = request.app.state
    factory = (
        state.read_sessions if request.method in ("GET", "HEAD") else state.sessions
    )
    session = factory()
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):
            await run_in_threadpool(_end, session, commit=False)
        raise
    with CancelScope(shield=True):
        await run_in_threadpool(_end, session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_cipher(request: Request) -> SecretCipher:
    # Nothing to wait for: run on the event loop, not in the thread pool.
    cipher: SecretCipher = request.app.state.cipher
    return cipher


# scope="function" runs the commit before the response is sent, so a failed
# commit surfaces as an error instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
CipherDep = Annotated[SecretCipher, Depends(get_cipher)]
