"""Request-scoped plumbing shared by every resource's endpoints."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from anyio import CancelScope
from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from envplane.core.crypto import SecretCipher

T = TypeVar("T")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler returns, before
    the response leaves, and rolled back if anything raises.

    Making a session touches no database, so it happens on the event loop.
    Ending a transaction does, so that runs in the thread pool, shielded from
    the request's cancellation so that the connection always goes back clean;
    a synchronous endpoint commits in its own worker thread instead (see
    ``call_and_commit``), which leaves only the session to close here."""
    state = request.app.state
    factory = (
        state.read_sessions if request.method in ("GET", "HEAD") else state.sessions
    )
    session = factory()
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


def call_and_commit(endpoint: Callable[..., T], arguments: dict[str, Any]) -> T:
    """Run a synchronous endpoint, then commit the request's session if it
    is one of the endpoint's arguments: both in the worker thread the
    endpoint runs in, saving the request a second hand-off for the commit."""
    answer = endpoint(**arguments)
    for argument in arguments.values():
        if isinstance(argument, Session):
            argument.commit()
    return answer


async def _end(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():
        # Nothing is open on the database: closing is only bookkeeping.
        session.close()
        return
    with CancelScope(shield=True):
        await run_in_threadpool(_finish, session, commit=commit)


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def parsed_body(model: type[BaseModel]) -> Any:
    """A dependency parsing the request body as ``model``, for handlers shared
    by resources whose request schemas differ. It waits on nothing, so it
    runs on the event loop."""

    async def parse(request: BaseModel) -> BaseModel:
        return request

    parse.__annotations__["request"] = model
    return Depends(parse)


async def get_cipher(request: Request) -> SecretCipher:
    # Nothing to wait for: run on the event loop, not in the thread pool.
    cipher: SecretCipher = request.app.state.cipher
    return cipher


# scope="function" runs the commit before the response is sent, so a failed
# commit surfaces as an error instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
CipherDep = Annotated[SecretCipher, Depends(get_cipher)]
