from typing import Annotated

from fastapi import Depends, Header, Request

from envplane.auth.principal import Principal
from envplane.auth.service import auth_service
from envplane.core.dependencies import SessionDep


def get_principal(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    state = request.app.state
    return auth_service.authenticate(
        session,
        authorization=authorization,
        jwt_authority=state.jwt,
        known_users=state.known_users,
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]
