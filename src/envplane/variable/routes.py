"""The routes of variables and secrets, built once for every scope.

Each scope (project, environment, each kind of service) serves the same
twelve operations under its own path prefix and operationIds, so one factory
registers them from a description of the scope.
"""

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Path

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import CipherDep, SessionDep, parsed_body
from envplane.core.routing import APIRouter
from envplane.core.schemas import Schema
from envplane.models import Variable
from envplane.service.kinds.base import ServiceType
from envplane.variable.repository import Entry, Fields, Listed
from envplane.variable.schemas import (
    EnvironmentVariable,
    EnvironmentVariableAlias,
    EnvironmentVariableEditRequest,
    EnvironmentVariableOverride,
    EnvironmentVariableRequest,
    EnvironmentVariableResponseList,
    Key,
    Secret,
    SecretAlias,
    SecretEditRequest,
    SecretOverride,
    SecretRequest,
    SecretResponseList,
    Value,
)
from envplane.variable.scopes import (
    Collection,
    LinkedService,
    OwnerScope,
    VariableType,
)
from envplane.variable.service import variable_service as service


@dataclass(frozen=True)
class _Kind:
    """Variables or secrets: what differs between the two halves of a scope."""

    secret: bool
    path_segment: str
    id_parameter: str
    operation_name: str
    list_operation_name: str
    create_request: type[EnvironmentVariableRequest | SecretRequest]
    edit_request: type[EnvironmentVariableEditRequest | SecretEditRequest]
    response: type[EnvironmentVariable | Secret]
    response_list: type[EnvironmentVariableResponseList | SecretResponseList]
    shape: Callable[[Entry], EnvironmentVariable | Secret]
    shape_list: Callable[[Sequence[Listed]], Schema]


def add_variable_routes(router: APIRouter, owner_scope: OwnerScope) -> None:
    """Register the variable and secret operations of one scope on ``router``."""
    for kind in (_VARIABLES, _SECRETS):
        _add_kind_routes(router, owner_scope, kind)


def _add_kind_routes(router: APIRouter, owner_scope: OwnerScope, kind: _Kind) -> None:
    h = _handlers(owner_scope, kind)
    collection = f"{owner_scope.path_prefix}/{kind.path_segment}"
    item = f"{collection}/{{{kind.id_parameter}}}"
    listing = f"list{owner_scope.operation_stem}{kind.list_operation_name}"
    stem = owner_scope.operation_stem + kind.operation_name
    one, many = kind.response, kind.response_list
    operations: list[tuple[str, str, str, Callable[..., Any], int, Any]] = [
        ("GET", collection, listing, h.list, 200, many),
        ("POST", collection, f"create{stem}", h.create, 201, one),
        ("PUT", item, f"edit{stem}", h.edit, 200, one),
        ("DELETE", item, f"delete{stem}", h.delete, 204, None),
        ("POST", f"{item}/override", f"create{stem}Override", h.override, 201, one),
        ("POST", f"{item}/alias", f"create{stem}Alias", h.alias, 201, one),
    ]
    tag = owner_scope.secret_tag if kind.secret else owner_scope.variable_tag
    for method, path, operation_id, handler, status_code, model in operations:
        router.add_api_route(
            path,
            handler,
            methods=[method],
            operation_id=operation_id,
            name=_snake_case(operation_id),
            status_code=status_code,
            response_model=model,
            tags=[tag],
        )


class _Handlers(NamedTuple):
    list: Callable[..., Any]
    create: Callable[..., Any]
    edit: Callable[..., Any]
    delete: Callable[..., Any]
    override: Callable[..., Any]
    alias: Callable[..., Any]


def _handlers(owner_scope: OwnerScope, kind: _Kind) -> _Handlers:
    """The six handlers of one kind at one scope. Path parameters are named by
    the scope and the kind (projectId, secretId, ...), which a ``def`` cannot
    spell, so aliases carry the names."""

    async def collection_of(
        owner_id: Annotated[uuid.UUID, Path(alias=owner_scope.path_parameter)],
    ) -> Collection:
        return Collection(
            owner_scope=owner_scope, owner_id=owner_id, secret=kind.secret
        )

    CollectionDep = Annotated[Collection, Depends(collection_of)]
    EntryId = Annotated[uuid.UUID, Path(alias=kind.id_parameter)]
    CreateBody = Annotated[
        EnvironmentVariableRequest | SecretRequest, parsed_body(kind.create_request)
    ]
    EditBody = Annotated[
        EnvironmentVariableEditRequest | SecretEditRequest,
        parsed_body(kind.edit_request),
    ]

    def list_entries(
        collection: CollectionDep, session: SessionDep, principal: PrincipalDep
    ) -> Schema:
        """List the entries visible here: this scope's own and those it inherits
        from broader scopes, each with its scope."""
        entries = service.list(session, principal=principal, collection=collection)
        return kind.shape_list(entries)

    def create_entry(
        collection: CollectionDep,
        request: CreateBody,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Schema:
        """Add an entry; an entry of this scope with the same key is replaced."""
        entry = service.create(
            session,
            principal=principal,
            collection=collection,
            request=request,
            cipher=cipher,
        )
        return kind.shape(entry)

    def edit_entry(
        collection: CollectionDep,
        entry_id: EntryId,
        request: EditBody,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Schema:
        """Edit an entry of this scope; its value stays when none is sent."""
        entry = service.update(
            session,
            principal=principal,
            collection=collection,
            variable_id=entry_id,
            request=request,
            cipher=cipher,
        )
        return kind.shape(entry)

    def delete_entry(
        collection: CollectionDep,
        entry_id: EntryId,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> None:
        """Delete an entry of this scope, with its aliases and overrides."""
        service.delete(
            session, principal=principal, collection=collection, variable_id=entry_id
        )

    def create_override(
        collection: CollectionDep,
        entry_id: EntryId,
        request: Value,
        session: SessionDep,
        principal: PrincipalDep,
        cipher: CipherDep,
    ) -> Schema:
        """Give an entry of a broader scope another value at this scope."""
        entry = service.create_override(
            session,
            principal=principal,
            collection=collection,
            variable_id=entry_id,
            request=request,
            cipher=cipher,
        )
        return kind.shape(entry)

    def create_alias(
        collection: CollectionDep,
        entry_id: EntryId,
        request: Key,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> Schema:
        """Give an entry of a broader scope another key at this scope."""
        entry = service.create_alias(
            session,
            principal=principal,
            collection=collection,
            variable_id=entry_id,
            request=request,
        )
        return kind.shape(entry)

    return _Handlers(
        list_entries,
        create_entry,
        edit_entry,
        delete_entry,
        create_override,
        create_alias,
    )


def _snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _mount_path(variable: Variable | Fields) -> str:
    # Required and not nullable in the parent's schema: "" when not a file.
    return variable.mount_path or ""


def _linked(service: LinkedService | None) -> dict[str, Any]:
    """The service fields of an answer: left out for entries of no service."""
    if service is None:
        return {}
    return {
        "service_id": service.id,
        "service_name": service.name,
        "service_type": ServiceType(service.kind),
    }


def _environment_variable(entry: Entry | Listed) -> EnvironmentVariable:
    variable, parent, service = entry
    variable_type = VariableType(variable.variable_type)
    value = variable.value
    aliased = overridden = None
    if parent is not None:
        details = {
            "id": parent.id,
            "key": parent.key,
            "value": parent.value or "",
            "mount_path": _mount_path(parent),
            "scope": parent.scope,
            "variable_type": parent.variable_type,
        }
        if variable_type is VariableType.ALIAS:
            aliased = EnvironmentVariableAlias.model_validate(details)
            value = parent.value
        else:
            overridden = EnvironmentVariableOverride.model_validate(details)
    return EnvironmentVariable(
        id=variable.id,
        created_at=variable.created_at,
        updated_at=variable.updated_at,
        key=variable.key,
        value=value,
        mount_path=variable.mount_path,
        description=variable.description,
        enable_interpolation_in_file=variable.enable_interpolation_in_file,
        aliased_variable=aliased,
        overridden_variable=overridden,
        scope=variable.scope,
        variable_type=variable_type,
        **_linked(service),
    )


def _secret(entry: Entry | Listed) -> Secret:
    """Built field by field so that no value, clear or encrypted, can slip in."""
    variable, parent, service = entry
    variable_type = VariableType(variable.variable_type)
    aliased = overridden = None
    if parent is not None:
        details = {
            "id": parent.id,
            "key": parent.key,
            "mount_path": _mount_path(parent),
            "scope": parent.scope,
            "variable_type": parent.variable_type,
            "description": parent.description,
            "enable_interpolation_in_file": parent.enable_interpolation_in_file,
        }
        if variable_type is VariableType.ALIAS:
            aliased = SecretAlias.model_validate(details)
        else:
            overridden = SecretOverride.model_validate(details)
    return Secret(
        id=variable.id,
        created_at=variable.created_at,
        updated_at=variable.updated_at,
        key=variable.key,
        description=variable.description,
        enable_interpolation_in_file=variable.enable_interpolation_in_file,
        aliased_secret=aliased,
        overridden_secret=overridden,
        scope=variable.scope,
        variable_type=variable_type,
        **_linked(service),
    )


_VARIABLES = _Kind(
    secret=False,
    path_segment="environmentVariable",
    id_parameter="environmentVariableId",
    operation_name="EnvironmentVariable",
    list_operation_name="EnvironmentVariable",
    create_request=EnvironmentVariableRequest,
    edit_request=EnvironmentVariableEditRequest,
    response=EnvironmentVariable,
    response_list=EnvironmentVariableResponseList,
    shape=_environment_variable,
    shape_list=lambda entries: EnvironmentVariableResponseList(
        results=[_environment_variable(entry) for entry in entries]
    ),
)

_SECRETS = _Kind(
    secret=True,
    path_segment="secret",
    id_parameter="secretId",
    operation_name="Secret",
    list_operation_name="Secrets",
    create_request=SecretRequest,
    edit_request=SecretEditRequest,
    response=Secret,
    response_list=SecretResponseList,
    shape=_secret,
    shape_list=lambda entries: SecretResponseList(
        results=[_secret(entry) for entry in entries]
    ),
)
