"""Services of each kind, a container registry, and the official contract to
check every answer against."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import transaction
from envplane.models import ContainerRegistry, Environment, Service, Variable
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.bodies import application_body, container_body
from tests.fixtures.factories import Json

_CONTRACT: list[Contract] = []


@pytest.fixture
def conforms() -> Callable[[str, Any], None]:
    """Assert that a body is what the named operation documents it answers."""
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    if not _CONTRACT:
        _CONTRACT.append(Contract.load(DOCUMENT_PATH))
    contract = _CONTRACT[0]

    def check(operation_id: str, body: Any) -> None:
        operation = contract.operations[operation_id]
        assert contract.response_errors(operation, body) == []

    return check


def add_registry(
    sessions: sessionmaker[Session], organization_id: str, name: str = "hub"
) -> Json:
    with transaction(sessions) as session:
        registry = ContainerRegistry(
            organization_id=uuid.UUID(organization_id),
            name=name,
            kind="DOCKER_HUB",
            url="https://docker.io",
        )
        session.add(registry)
        session.flush()
        return {"id": str(registry.id), "name": name}


@pytest.fixture
def registry(sessions: sessionmaker[Session], organization: Json) -> Json:
    return add_registry(sessions, organization["id"])


@pytest.fixture
def application(api: Api, owner_token: str, environment: Json) -> Json:
    path = f"/environment/{environment['id']}/application"
    return api.post(path, token=owner_token, json=application_body())  # type: ignore[no-any-return]


@pytest.fixture
def container(api: Api, owner_token: str, environment: Json, registry: Json) -> Json:
    path = f"/environment/{environment['id']}/container"
    body = container_body(registry["id"])
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


def add_entry(
    session: Session,
    *,
    owner: Json,
    scope: str,
    key: str,
    value: str | None = None,
    secret: bool = False,
    variable_type: str = "VALUE",
    parent_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A variable or secret of ``owner`` (a project, environment or service as the
    API answered it), written directly: the service-scope variable API is served
    apart."""
    owner_id = uuid.UUID(owner["id"])
    project_id: uuid.UUID
    environment_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    if scope == "PROJECT":
        project_id = owner_id
    elif scope == "ENVIRONMENT":
        environment_id = owner_id
        project_id = uuid.UUID(owner["project"]["id"])
    else:
        service = session.get(Service, owner_id)
        assert service is not None
        environment = session.get(Environment, service.environment_id)
        assert environment is not None
        service_id, environment_id = owner_id, environment.id
        project_id = environment.project_id
    variable = Variable(
        owner_id=owner_id,
        scope=scope,
        project_id=project_id,
        environment_id=environment_id,
        service_id=service_id,
        is_secret=secret,
        key=key,
        value=value,
        variable_type=variable_type,
        parent_id=parent_id,
    )
    session.add(variable)
    session.flush()
    return variable.id


def builtin_id(session: Session, service: Json, key: str) -> uuid.UUID:
    statement = select(Variable.id).where(
        Variable.service_id == uuid.UUID(service["id"]),
        Variable.scope == "BUILT_IN",
        Variable.key == key,
    )
    found = session.scalar(statement)
    assert found is not None, f"no built-in {key}"
    return found
