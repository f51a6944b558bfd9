"""What the five service kinds have in common, and what each must say about itself.

The service package serves every kind through one set of routes, one table and
one clone; a kind module (``kinds/application.py``, ...) only describes its
request and response bodies, the configuration it stores, the built-in
variables it gets, and the references it must check.
"""

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from envplane.core.crypto import SecretCipher
from envplane.core.errors import InvalidInput, NotFound
from envplane.models import ContainerRegistry, HelmRepository, Service


class ServiceType(StrEnum):
    """The official ``LinkedServiceTypeEnum``, as far as envplane serves it."""

    APPLICATION = "APPLICATION"
    CONTAINER = "CONTAINER"
    DATABASE = "DATABASE"
    JOB = "JOB"
    HELM = "HELM"


# A registry or helm repository an answer shows: its model and its id.
Named = tuple[type[ContainerRegistry] | type[HelmRepository], uuid.UUID]


@dataclass(frozen=True)
class BuiltIn:
    """A built-in variable (or secret) envplane generates for a service."""

    key: str
    value: str
    secret: bool = False


class Kind(ABC):
    service_type: ServiceType
    # The path segment and the word in messages: "application" serves
    # /environment/{environmentId}/application and /application/{applicationId}.
    resource: str
    id_parameter: str
    create_request: type[BaseModel]
    edit_request: type[BaseModel]

    @property
    def operation_name(self) -> str:
        """The word in the kind's operationIds: createApplication, getHelm..."""
        return self.resource.capitalize()

    @property
    def list_operation_id(self) -> str:
        """The official list operationId, irregular for some kinds (listHelms,
        listJobs): override it there."""
        return f"list{self.operation_name}"

    @property
    def tag(self) -> str:
        return f"{self.operation_name}s"

    @abstractmethod
    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        """What a create request stores in ``services.configuration``: every
        field but the name, JSON-ready, defaults filled in."""

    @abstractmethod
    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        """The configuration after an edit request; fields an edit request does
        not carry keep their current value."""

    @abstractmethod
    def answer(self, service: Service) -> dict[str, Any]:
        """The service shaped exactly like the kind's official response schema."""

    def named(self, service: Service) -> list[Named]:
        """The registries and helm repositories the answer about ``service``
        shows, which a listing reads for all its services at once. Most kinds
        show none."""
        return []

    @abstractmethod
    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        """The built-in variables of ``service``, named after it."""

    def check(
        self,
        session: Session,
        *,
        organization_id: uuid.UUID,
        configuration: dict[str, Any],
    ) -> None:
        """Refuse references the organization does not own (a container's
        registry, a helm chart's repository). Most kinds have none."""
        return None

    def copied(
        self, configuration: dict[str, Any], *, cipher: SecretCipher
    ) -> dict[str, Any]:
        """The configuration of a clone. Kinds whose configuration holds ids of
        its own (ports, volumes) give the copy fresh ones."""
        return configuration


def validated(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """``data`` validated by ``model``, or a 400 naming each offending body field:
    for rules that need the stored configuration too, as an edit does."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"loc": ["body", *item["loc"]], "msg": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        summary = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in errors
        )
        raise InvalidInput(summary, errors=errors) from error


def builtin_name(service_name: str) -> str:
    """A service name as built-in keys carry it: upper case, hyphens turned to
    underscores, anything else outside letters, digits and underscores dropped."""
    name = service_name.upper().replace("-", "_")
    return "".join(char for char in name if char.isalnum() or char == "_")


Owned = TypeVar("Owned", ContainerRegistry, HelmRepository)


def require_owned(
    session: Session,
    model: type[Owned],
    record_id: str,
    *,
    organization_id: uuid.UUID,
    resource: str,
) -> None:
    """Refuse a reference to a registry or repository the organization does not
    own, as if it did not exist."""
    record = session.get(model, uuid.UUID(record_id))
    if record is None or record.organization_id != organization_id:
        raise NotFound.resource(resource, record_id)
