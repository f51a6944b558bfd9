"""The routes of every service kind, registered by one factory from each kind's
description, and the environment's list of all its services."""

import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import Path
from pydantic import BaseModel

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import CipherDep, SessionDep, parsed_body
from envplane.core.routing import APIRouter
from envplane.models import Service
from envplane.service.kinds import KINDS
from envplane.service.kinds.base import Kind, ServiceType
from envplane.service.schemas import CloneServiceRequest
from envplane.service.service import service_service as service

router = APIRouter()

Json = dict[str, Any]


@router.get(
    "/environment/{environmentId}/services",
    response_model=None,
    tags=["Environment Main Calls"],
)
def list_services_by_environment_id(
    environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Json:
    """List every service of an environment, whatever its kind."""
    services = service.list(
        session, principal, environmentId, kinds=list(KINDS.values())
    )
    with service.answering(session, services):
        return {"results": [_answer(row) for row in services]}


def never_deployed(service_id: uuid.UUID) -> Json:
    """The official ``Status`` of a service that was never deployed."""
    # TODO(lifecycle): derive state and deployment status from recorded
    # deployment requests once deploy and stop exist; until then every service
    # answers READY / NEVER_DEPLOYED, even one that was cloned from a running one.
    return {
        "id": service_id,
        "state": "READY",
        "service_deployment_status": "NEVER_DEPLOYED",
        "status_details": {"action": "DEPLOY", "status": "NEVER", "sub_action": "NONE"},
        "is_part_last_deployment": False,
        "deployment_requests_count": 0,
        "deployment_request_id": None,
    }


def _answer(row: Service) -> Json:
    return KINDS[ServiceType(row.kind)].answer(row)


def add_kind_routes(router: APIRouter, kind: Kind) -> None:
    """Register the eight operations of one kind on ``router``."""
    h = _handlers(kind)
    collection = f"/environment/{{environmentId}}/{kind.resource}"
    item = f"/{kind.resource}/{{{kind.id_parameter}}}"
    name = kind.operation_name
    operations: list[tuple[str, str, str, Callable[..., Any], int]] = [
        ("GET", collection, kind.list_operation_id, h.list, 200),
        ("POST", collection, f"create{name}", h.create, 201),
        ("GET", f"{collection}/status", f"getEnvironment{name}Status", h.statuses, 200),
        ("GET", item, f"get{name}", h.get, 200),
        ("PUT", item, f"edit{name}", h.edit, 200),
        ("DELETE", item, f"delete{name}", h.delete, 204),
        ("GET", f"{item}/status", f"get{name}Status", h.status, 200),
        ("POST", f"{item}/clone", f"clone{name}", h.clone, 202),
    ]
    for method, path, operation_id, handler, status_code in operations:
        router.add_api_route(
            path,
            handler,
            methods=[method],
            operation_id=operation_id,
            name=_snake_case(operation_id),
            status_code=status_code,
            response_model=None,
            tags=[kind.tag],
            responses={409: {"description": "The name is already taken"}}
            if method in ("POST", "PUT")
            else None,
        )


class _Handlers(NamedTuple):
    list: Callable[..., Any]
    create: Callable[..., Any]
    statuses: Callable[..., Any]
    get: Callable[..., Any]
    edit: Callable[..., Any]
    delete: Callable[..., Any]
    status: Callable[..., Any]
    clone: Callable[..., Any]


def _handlers(kind: Kind) -> _Handlers:
    """The handlers of one kind. The id parameter is named by the kind
    (applicationId, containerId...), which a ``def`` cannot spell, so an alias
    carries the name; request bodies are parsed with the kind's models."""
    ServiceId = Annotated[uuid.UUID, Path(alias=kind.id_parameter)]
    CreateBody = Annotated[BaseModel, parsed_body(kind.create_request)]
    EditBody = Annotated[BaseModel, parsed_body(kind.edit_request)]

    def list_services(
        environmentId: uuid.UUID,
        session: SessionDep,
        principal: PrincipalDep,
        toUpdate: bool = False,
    ) -> Json:
        rows = service.list(session, principal, environmentId, kinds=[kind])
        with service.answering(session, rows):
            return {"results": [kind.answer(row) for row in rows]}

    def create_service(
        environmentId: uuid.UUID,
        request: CreateBody,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Json:
        row = service.create(
            session, principal, environmentId, kind=kind, request=request, cipher=cipher
        )
        return kind.answer(row)

    def list_statuses(
        environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
    ) -> Json:
        rows = service.list(session, principal, environmentId, kinds=[kind])
        return {"results": [never_deployed(row.id) for row in rows]}

    def get_service(
        service_id: ServiceId, session: SessionDep, principal: PrincipalDep
    ) -> Json:
        view = service.get(session, principal, service_id, kind=kind)
        return kind.answer(view.service)

    def edit_service(
        service_id: ServiceId,
        request: EditBody,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Json:
        row = service.update(
            session, principal, service_id, kind=kind, request=request, cipher=cipher
        )
        return kind.answer(row)

    def delete_service(
        service_id: ServiceId,
        session: SessionDep,
        principal: PrincipalDep,
        skipReconcile: bool = False,
    ) -> None:
        service.delete(session, principal, service_id, kind=kind)

    def get_status(
        service_id: ServiceId, session: SessionDep, principal: PrincipalDep
    ) -> Json:
        view = service.get(session, principal, service_id, kind=kind)
        return never_deployed(view.service.id)

    def clone_service(
        service_id: ServiceId,
        request: CloneServiceRequest,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Json:
        row = service.clone(
            session, principal, service_id, kind=kind, request=request, cipher=cipher
        )
        return kind.answer(row)

    word = kind.resource
    list_services.__doc__ = f"List the {word}s of an environment."
    create_service.__doc__ = f"Create a {word}."
    list_statuses.__doc__ = f"List the statuses of an environment's {word}s."
    get_service.__doc__ = f"Get a {word} by id."
    edit_service.__doc__ = f"Edit a {word}."
    delete_service.__doc__ = (
        f"Delete a {word} with its variables, secrets and custom domains."
    )
    get_status.__doc__ = f"Get the status of a {word}."
    clone_service.__doc__ = (
        f"Copy a {word} with its variables and secrets into an environment."
    )
    return _Handlers(
        list=list_services,
        create=create_service,
        statuses=list_statuses,
        get=get_service,
        edit=edit_service,
        delete=delete_service,
        status=get_status,
        clone=clone_service,
    )


def _snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


for _kind in KINDS.values():
    add_kind_routes(router, _kind)
