"""The scopes variables and secrets live at, their order, and the owners that
entries of each scope belong to."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class VariableScope(StrEnum):
    """The official ``APIVariableScopeEnum``, limited to the scopes envplane serves."""

    BUILT_IN = "BUILT_IN"
    PROJECT = "PROJECT"
    ENVIRONMENT = "ENVIRONMENT"
    APPLICATION = "APPLICATION"
    CONTAINER = "CONTAINER"
    JOB = "JOB"
    HELM = "HELM"

    @property
    def rank(self) -> int:
        """Position in BUILT_IN > PROJECT > ENVIRONMENT > service scopes; the
        broadest scope has the lowest rank."""
        return _RANKS[self]


_RANKS = {
    VariableScope.BUILT_IN: 0,
    VariableScope.PROJECT: 1,
    VariableScope.ENVIRONMENT: 2,
    VariableScope.APPLICATION: 3,
    VariableScope.CONTAINER: 3,
    VariableScope.JOB: 3,
    VariableScope.HELM: 3,
}


class VariableType(StrEnum):
    """The official ``APIVariableTypeEnum``, limited to the types envplane serves."""

    VALUE = "VALUE"
    FILE = "FILE"
    ALIAS = "ALIAS"
    OVERRIDE = "OVERRIDE"
    BUILT_IN = "BUILT_IN"


class LinkedService(NamedTuple):
    """The service an entry is tied to, as answers name it."""

    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class Owner:
    """What the entries of one scope belong to: a project, an environment or a
    service."""

    id: uuid.UUID
    scope: VariableScope
    organization_id: uuid.UUID
    project_id: uuid.UUID
    environment_id: uuid.UUID | None
    # This owner and the owners above it whose entries it sees, broadest first.
    visible_owner_ids: tuple[uuid.UUID, ...]
    # The service itself, when the owner is one: its entries carry its id.
    service: LinkedService | None = None


class Resolved(NamedTuple):
    """An owner found by its id, and the role of the caller's membership in
    its organization, ``None`` when the caller is not a member."""

    owner: Owner
    membership_role: str | None


@dataclass(frozen=True)
class OwnerScope:
    """One scope as the API exposes it: where its routes live, what their
    operationIds are called, and how to find the owner a path id names."""

    scope: VariableScope
    resource: str
    path_prefix: str
    path_parameter: str
    operation_stem: str
    variable_tag: str
    secret_tag: str
    # Finds the owner a path id names, given the caller's user id.
    resolve: Callable[..., Resolved | None]


@dataclass(frozen=True)
class Collection:
    """The variables, or the secrets, of one owner: what a path such as
    ``/project/{projectId}/secret`` names."""

    owner_scope: OwnerScope
    owner_id: uuid.UUID
    secret: bool
