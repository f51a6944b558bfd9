from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.crypto import SecretCipher
from envplane.core.database import violates
from envplane.core.errors import InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.models import Variable
from envplane.variable.repository import Entry, Listed
from envplane.variable.repository import variable_repository as repository
from envplane.variable.schemas import (
    EnvironmentVariableEditRequest,
    EnvironmentVariableRequest,
    Key,
    SecretEditRequest,
    SecretRequest,
    Value,
)
from envplane.variable.scopes import Collection, Owner, VariableScope, VariableType

log = get_logger(__name__)

KEY_MAX_LENGTH = 255
_KEY_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RESERVED_PREFIX = "QOVERY_"
_DERIVED = (VariableType.ALIAS, VariableType.OVERRIDE)


class VariableService:
    """Variables and secrets of every scope. Each operation works on one
    ``Collection``: the variables, or the secrets, of one owner."""

    def list(
        self, session: Session, *, principal: Principal, collection: Collection
    ) -> builtins.list[Listed]:
        """This owner's entries and those it inherits from the owners above it."""
        owner = self._owner(session, principal, collection, Permission.READ)
        return repository.list_visible(
            session, owner.visible_owner_ids, secret=collection.secret
        )

    def create(
        self,
        session: Session,
        *,
        principal: Principal,
        collection: Collection,
        request: EnvironmentVariableRequest | SecretRequest,
        cipher: SecretCipher,
    ) -> Entry:
        """A new entry, or the existing entry of that key with the new content."""
        owner = self._owner(session, principal, collection, Permission.WRITE)
        key = _checked_key(request.key)
        mount_path = _checked_mount_path(request.mount_path)
        resource = collection.owner_scope.resource

        variable = repository.get_by_key(session, owner.id, key)
        replaced = variable is not None
        if variable is None:
            variable = _new_entry(owner, collection, key=key)
            session.add(variable)
        else:
            _check_replaceable(variable, collection)

        variable.value = _stored(request.value or "", collection, cipher)
        variable.variable_type = VariableType.FILE if mount_path else VariableType.VALUE
        variable.mount_path = mount_path
        variable.description = request.description
        variable.enable_interpolation_in_file = request.enable_interpolation_in_file
        with _unique_key(_key_taken(key, resource)):
            session.flush()
        _log_change("variable.replaced" if replaced else "variable.created", variable)
        return Entry(variable, None, owner.service)

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        collection: Collection,
        variable_id: uuid.UUID,
        request: EnvironmentVariableEditRequest | SecretEditRequest,
        cipher: SecretCipher,
    ) -> Entry:
        owner = self._owner(session, principal, collection, Permission.WRITE)
        variable, parent, service = self._own_entry(
            session, collection, owner, variable_id
        )
        _check_not_built_in(variable, action="edited")
        # An override carries the key of what it overrides, built-in ones
        # included; _check_editable holds it to that key.
        overriding = variable.variable_type == VariableType.OVERRIDE
        key = request.key if overriding else _checked_key(request.key)
        # A secret's edit request has no mount path: a secret file keeps its own.
        mount_path = (
            _checked_mount_path(request.mount_path)
            if isinstance(request, EnvironmentVariableEditRequest)
            else None
        )
        _check_editable(variable, key=key, value=request.value, mount_path=mount_path)
        resource = collection.owner_scope.resource
        renamed = key != variable.key
        if renamed and repository.get_by_key(session, owner.id, key) is not None:
            raise _key_taken(key, resource)

        variable.key = key
        if request.value is not None:
            variable.value = _stored(request.value, collection, cipher)
        if mount_path is not None:
            variable.variable_type = VariableType.FILE
            variable.mount_path = mount_path
        variable.description = request.description
        variable.enable_interpolation_in_file = request.enable_interpolation_in_file
        with _unique_key(_key_taken(key, resource)):
            session.flush()
        if renamed:
            _rename_overrides(session, variable)
        _log_change("variable.updated", variable)
        return Entry(variable, parent, service)

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        collection: Collection,
        variable_id: uuid.UUID,
    ) -> None:
        """Delete an entry; its aliases and overrides go with it (the database
        cascades on ``parent_id``)."""
        owner = self._owner(session, principal, collection, Permission.WRITE)
        variable = self._own_entry(session, collection, owner, variable_id).variable
        _check_not_built_in(variable, action="deleted")

        session.delete(variable)
        session.flush()
        _log_change("variable.deleted", variable)

    def create_alias(
        self,
        session: Session,
        *,
        principal: Principal,
        collection: Collection,
        variable_id: uuid.UUID,
        request: Key,
    ) -> Entry:
        """A new key at this scope for the value of an entry from a broader one."""
        owner = self._owner(session, principal, collection, Permission.WRITE)
        target = self._target(session, collection, owner, variable_id, "alias")
        key = _checked_key(request.key)
        taken = _key_taken(key, collection.owner_scope.resource)
        if repository.get_by_key(session, owner.id, key) is not None:
            raise taken

        alias = _new_entry(owner, collection, key=key)
        alias.variable_type = VariableType.ALIAS
        alias.parent_id = target.id
        alias.description = request.description
        alias.enable_interpolation_in_file = request.enable_interpolation_in_file
        session.add(alias)
        with _unique_key(taken):
            session.flush()
        _log_change("variable.alias_created", alias)
        return Entry(alias, target, owner.service)

    def create_override(
        self,
        session: Session,
        *,
        principal: Principal,
        collection: Collection,
        variable_id: uuid.UUID,
        request: Value,
        cipher: SecretCipher,
    ) -> Entry:
        """Another value at this scope for the key of an entry from a broader one."""
        owner = self._owner(session, principal, collection, Permission.WRITE)
        target = self._target(session, collection, owner, variable_id, "override")
        taken = InvalidInput(
            f"{target.key} already exists at this {collection.owner_scope.resource}: "
            "edit that entry to change its value, or delete it before creating the "
            "override"
        )
        if repository.get_by_key(session, owner.id, target.key) is not None:
            raise taken

        override = _new_entry(owner, collection, key=target.key)
        override.variable_type = VariableType.OVERRIDE
        override.parent_id = target.id
        override.value = _stored(request.value or "", collection, cipher)
        override.description = request.description
        override.enable_interpolation_in_file = request.enable_interpolation_in_file
        session.add(override)
        with _unique_key(taken):
            session.flush()
        _log_change("variable.override_created", override)
        return Entry(override, target, owner.service)

    def _owner(
        self,
        session: Session,
        principal: Principal,
        collection: Collection,
        permission: Permission,
    ) -> Owner:
        owner_scope, owner_id = collection.owner_scope, collection.owner_id
        resolved = owner_scope.resolve(session, owner_id, user_id=principal.user_id)
        if resolved is None:
            raise NotFound.resource(owner_scope.resource, owner_id)
        owner = resolved.owner
        auth_service.authorize_member(
            principal,
            owner.organization_id,
            permission,
            membership_role=resolved.membership_role,
            resource=(owner_scope.resource, owner_id),
        )
        return owner

    def _own_entry(
        self,
        session: Session,
        collection: Collection,
        owner: Owner,
        variable_id: uuid.UUID,
    ) -> Entry:
        """An entry of this very owner: inherited ones are changed where they
        are defined."""
        entry = repository.get_entry(session, variable_id)
        if (
            entry is None
            or entry.variable.owner_id != owner.id
            or entry.variable.is_secret != collection.secret
        ):
            raise NotFound(
                f"{_kind(collection.secret)} {variable_id} does not exist at this "
                f"{collection.owner_scope.resource}; an inherited entry is changed "
                "through the scope that defines it"
            )
        return entry

    def _target(
        self,
        session: Session,
        collection: Collection,
        owner: Owner,
        variable_id: uuid.UUID,
        action: str,
    ) -> Variable:
        """The entry an alias or override derives from: one this owner sees,
        from a broader scope, holding a value of its own."""
        kind = _kind(collection.secret)
        target = repository.get_by_id(session, variable_id)
        if (
            target is None
            or target.owner_id not in owner.visible_owner_ids
            or target.is_secret != collection.secret
        ):
            raise NotFound.resource(kind, variable_id)

        target_type = VariableType(target.variable_type)
        if target_type in _DERIVED:
            raise InvalidInput(
                f"{target.key} is itself an {target_type.lower()}: create the "
                f"{action} on the {kind} it derives from"
            )
        target_scope = VariableScope(target.scope)
        # An alias is another key, so it may live beside its target; an override
        # reuses the key and so must sit strictly below it.
        same_scope_allowed = action == "alias"
        if target_scope.rank > owner.scope.rank or (
            target_scope.rank == owner.scope.rank and not same_scope_allowed
        ):
            lowest = "at or below" if same_scope_allowed else "below"
            raise InvalidInput(
                f"{target.key} belongs to the {target_scope} scope and this is "
                f"the {owner.scope} scope, but an {action} can only be created "
                "from a scope to a lower scope (BUILT_IN > PROJECT > ENVIRONMENT "
                f"> APPLICATION): create the {action} at a scope {lowest} "
                f"{target_scope}"
            )
        return target


def _new_entry(owner: Owner, collection: Collection, *, key: str) -> Variable:
    return Variable(
        owner_id=owner.id,
        scope=owner.scope,
        project_id=owner.project_id,
        environment_id=owner.environment_id,
        service_id=owner.service.id if owner.service else None,
        is_secret=collection.secret,
        key=key,
    )


def _kind(secret: bool) -> str:
    return "secret" if secret else "environment variable"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _checked_key(key: str) -> str:
    if key.upper().startswith(_RESERVED_PREFIX):
        raise _invalid_key(
            f"the {_RESERVED_PREFIX} prefix is reserved for built-in variables; "
            "choose another key"
        )
    if key.startswith("__"):
        raise _invalid_key("keys starting with __ are reserved; choose another key")
    if len(key) > KEY_MAX_LENGTH:
        raise _invalid_key(
            f"a key has at most {KEY_MAX_LENGTH} characters; shorten this one"
        )
    if not _KEY_PATTERN.fullmatch(key):
        raise _invalid_key(
            "a key starts with a letter and has only letters, digits and "
            "underscores after it, for example DATABASE_URL"
        )
    return key


def _invalid_key(message: str) -> InvalidInput:
    return InvalidInput.field(("body", "key"), message)


def _checked_mount_path(mount_path: str | None) -> str | None:
    """The path a file entry is mounted at; no path (or an empty one) means the
    entry is not a file."""
    if not mount_path:
        return None
    if not mount_path.startswith("/"):
        raise InvalidInput.field(
            ("body", "mount_path"),
            "a mount path is where the file appears in the container and must be "
            "absolute, for example /etc/app/config.json",
        )
    return mount_path


def _check_replaceable(variable: Variable, collection: Collection) -> None:
    """Creating an existing key replaces its content, when the entry is of the
    same kind and holds a value of its own."""
    resource = collection.owner_scope.resource
    if variable.is_secret != collection.secret:
        existing = _kind(variable.is_secret)
        raise _invalid_key(
            f"{variable.key} is already {_a(existing)} of this {resource}, and a "
            f"key holds a variable or a secret, not both: delete the {existing} "
            "first or choose another key"
        )
    variable_type = VariableType(variable.variable_type)
    if variable_type not in (VariableType.VALUE, VariableType.FILE):
        raise _invalid_key(
            f"{variable.key} is an {variable_type.lower()} at this {resource}: "
            "edit it, or delete it before giving the key a value of its own"
        )


def _check_not_built_in(variable: Variable, *, action: str) -> None:
    if variable.variable_type == VariableType.BUILT_IN:
        raise InvalidInput(
            f"{variable.key} is built in: envplane maintains it with its service, "
            f"so it cannot be {action}; override it instead"
        )


def _check_editable(
    variable: Variable, *, key: str, value: str | None, mount_path: str | None
) -> None:
    variable_type = VariableType(variable.variable_type)
    if variable_type is VariableType.OVERRIDE and key != variable.key:
        raise InvalidInput.field(
            ("body", "key"),
            f"an override keeps the key of the entry it overrides; send "
            f"{variable.key} as the key",
        )
    if variable_type is VariableType.ALIAS and value is not None:
        raise InvalidInput.field(
            ("body", "value"),
            "an alias shows the value of the entry it aliases; leave value out, "
            "or edit that entry",
        )
    if variable_type in _DERIVED and mount_path is not None:
        raise InvalidInput.field(
            ("body", "mount_path"),
            f"an {variable_type.lower()} is mounted where the entry it derives "
            "from is; leave mount_path out",
        )


def _rename_overrides(session: Session, variable: Variable) -> None:
    """Give the overrides of ``variable`` its new key. An override is the same
    key with another value lower down, so it follows rather than silently stop
    overriding anything."""
    overridden = _invalid_key(
        f"{variable.key} is already used at a scope where this entry is "
        "overridden; choose another key, or delete that override first"
    )
    with _unique_key(overridden):
        repository.rename_overrides(session, variable.id, variable.key)


def _stored(value: str, collection: Collection, cipher: SecretCipher) -> str:
    """What the table keeps: a secret's value only ever encrypted."""
    return cipher.encrypt(value) if collection.secret else value


@contextmanager
def _unique_key(taken: InvalidInput) -> Iterator[None]:
    """Answer ``taken`` when the writes inside give an owner a key twice: the
    checks before them cannot see a concurrent request's writes."""
    try:
        yield
    except IntegrityError as error:
        if violates(error, "uq_variables_owner_id_scope_key"):
            raise taken from error
        raise


def _key_taken(key: str, resource: str) -> InvalidInput:
    # The document lists no 409 for these operations; a taken key is invalid
    # input like any other.
    return _invalid_key(
        f"{key} is already used by a variable or secret of this {resource}; "
        "choose another key, or edit that entry"
    )


def _log_change(event: str, variable: Variable) -> None:
    """Ids and keys only: values, in clear or encrypted, never reach the logs."""
    log.info(
        event,
        variable_id=str(variable.id),
        owner_id=str(variable.owner_id),
        scope=variable.scope,
        key=variable.key,
        secret=variable.is_secret,
    )


variable_service = VariableService()
