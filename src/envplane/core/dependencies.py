"""Request-scoped plumbing shared by every resource's endpoints."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from envplane.core.crypto import SecretCipher


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, before
    the response leaves, and rolled back if anything raises."""
    state = request.app.state
    factory = (
        state.read_sessions if request.method in ("GET", "HEAD") else state.sessions
    )
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_cipher(request: Request) -> SecretCipher:
    cipher: SecretCipher = request.app.state.cipher
    return cipher


# scope="function" runs the commit before the response is sent, so a failed
# commit surfaces as an error instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
CipherDep = Annotated[SecretCipher, Depends(get_cipher)]
