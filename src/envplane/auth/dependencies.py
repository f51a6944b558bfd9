from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from envplane.auth.principal import Principal
from envplane.auth.service import auth_service
from envplane.core.dependencies import SessionDep


async def get_principal(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller, recognized on the event loop when its token and user are
    known already; otherwise authenticated in the thread pool, which may
    verify a signature, fetch an issuer's keys or read the database."""
    state = request.app.state
    principal = auth_service.recognize(
        authorization=authorization,
        jwt_authority=state.jwt,
        known_users=state.known_users,
    )
    if principal is not None:
        return principal
    return await run_in_threadpool(
        auth_service.authenticate,
        session,
        authorization=authorization,
        jwt_authority=state.jwt,
        known_users=state.known_users,
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]
