"""Built-in variables: entries envplane maintains itself, listed with scope
BUILT_IN, never edited or deleted through the API, and usable as the target of
aliases and overrides. They are generated for their owner and never copied: a
clone gets its own.

A service's built-ins belong to its environment, so that every service of the
environment sees them (an application reads its database's host), and carry the
service's id."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.core.crypto import SecretCipher
from envplane.core.database import violates
from envplane.core.errors import InvalidInput
from envplane.core.logging import get_logger
from envplane.models import Environment, Project, Service, Variable
from envplane.variable.repository import variable_repository as repository
from envplane.variable.scopes import VariableScope, VariableType

if TYPE_CHECKING:
    # Annotations only: the kinds may import this module, so importing their
    # package from here at run time would be circular.
    from envplane.service.kinds.base import BuiltIn

log = get_logger(__name__)


def project_builtins(project: Project) -> list[Variable]:
    return [_builtin(project.id, project.id, None, "QOVERY_PROJECT_ID", project.id)]


def environment_builtins(environment: Environment) -> list[Variable]:
    return [
        _builtin(
            environment.id,
            environment.project_id,
            environment.id,
            "QOVERY_ENVIRONMENT_ID",
            environment.id,
        )
    ]


def internal_host(service: Service) -> str:
    """Where the other services of the environment reach ``service``: the name
    of its Kubernetes Service in the environment's namespace, the kind then the
    short id Qovery uses (``z`` and the first 8 hex digits of the id), for
    example ``application-z6f1c2a9b``. It derives from the id, not the name, so
    it survives a rename; it is a valid DNS label."""
    return f"{service.kind.lower()}-z{service.id.hex[:8]}"


def sync_service_builtins(
    session: Session,
    service: Service,
    builtins: Sequence[BuiltIn],
    *,
    cipher: SecretCipher,
) -> None:
    """Store exactly ``builtins`` as the built-ins of ``service``, which must
    have been flushed already (its id is in its rows).

    Rows are kept wherever they can be, so that aliases and overrides of them
    hold: a key still produced keeps its row and gets the new value; a key that
    changed because the service was renamed is renamed in place, its overrides
    with it (an override carries its parent's key); keys no longer produced
    are deleted, and their aliases and overrides with them.
    """
    wanted = {builtin.key: builtin for builtin in builtins}
    stored = {row.key: row for row in repository.list_builtins_of(session, service.id)}
    new_keys = sorted(wanted.keys() - stored.keys())
    _check_keys_free(session, service, new_keys)
    renames = _renames(stored.keys(), wanted.keys())
    removed = sorted(stored.keys() - wanted.keys() - renames.keys())
    environment = session.get(Environment, service.environment_id)
    assert environment is not None, "a service's environment outlives it"

    for key in removed:
        session.delete(stored.pop(key))
    changed = [
        row
        for key, row in stored.items()
        if _refresh(row, wanted[renames.get(key, key)], cipher=cipher)
    ]
    created = [
        service_builtin(environment, service, wanted[key], cipher=cipher)
        for key in new_keys
        if key not in renames.values()
    ]
    session.add_all(created)
    with _keys_taken(service.name):
        session.flush()
        for key, new_key in renames.items():
            repository.rename_overrides(session, stored[key].id, new_key)

    log.info(
        "variable.builtins_synced",
        service_id=str(service.id),
        created=len(created),
        changed=len(changed),
        renamed=len(renames),
        deleted=len(removed),
    )


def _check_keys_free(session: Session, service: Service, keys: Sequence[str]) -> None:
    """Refuse a name whose built-in keys another service of the environment
    already has: names differing only in case, hyphens or punctuation make the
    same keys."""
    holders = repository.builtin_key_holders(
        session, service.environment_id, keys, other_than=service.id
    )
    if not holders:
        return
    key, holder = holders[0]
    what = f"the {holder.kind.lower()} {holder.name}" if holder else "the environment"
    raise InvalidInput.field(
        ("body", "name"),
        f"{service.name} would give the built-in variable {key}, which {what} "
        "already has: built-in keys ignore case, hyphens and punctuation in "
        "names, so choose a name that differs in letters or digits",
    )


def _renames(
    stored_keys: Collection[str], wanted_keys: Collection[str]
) -> dict[str, str]:
    """Pair the keys that went with the keys that came in their place when the
    service was renamed. A rename changes each key the same way, the name in
    it, so the pairs are those whose difference is the most common one; and as
    a name would, its old side must be in every old key and its new side in
    every new key, or the change is no rename and nothing is paired."""
    gone = sorted(set(stored_keys) - set(wanted_keys))
    came = sorted(set(wanted_keys) - set(stored_keys))
    if not gone or not came:
        return {}
    differences = {(old, new): _difference(old, new) for old in gone for new in came}
    (old_part, new_part), _ = Counter(differences.values()).most_common(1)[0]
    if not all(old_part in key for key in stored_keys) or not all(
        new_part in key for key in wanted_keys
    ):
        return {}
    renames: dict[str, str] = {}
    for (old, new), difference in differences.items():
        taken = old in renames or new in renames.values()
        if difference == (old_part, new_part) and not taken:
            renames[old] = new
    return renames


def _difference(old: str, new: str) -> tuple[str, str]:
    """What is left of each key once the start and end they share are set aside."""
    start = _shared_start(old, new)
    old_rest, new_rest = old[start:], new[start:]
    end = _shared_start(old_rest[::-1], new_rest[::-1])
    return old_rest[: len(old_rest) - end], new_rest[: len(new_rest) - end]


def _shared_start(one: str, other: str) -> int:
    length = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        length += 1
    return length


def _refresh(row: Variable, builtin: BuiltIn, *, cipher: SecretCipher) -> bool:
    """Bring a stored built-in to ``builtin``; whether anything changed. Secret
    values are compared in clear: encrypting twice never gives the same text."""
    current = row.value
    if row.is_secret and current is not None:
        try:
            current = cipher.decrypt(current)
        except ValueError:
            current = None
    target = (builtin.key, builtin.secret, builtin.value)
    if (row.key, row.is_secret, current) == target:
        return False
    row.key = builtin.key
    row.is_secret = builtin.secret
    row.value = _stored_value(builtin, cipher=cipher)
    return True


def service_builtin(
    environment: Environment,
    service: Service,
    builtin: BuiltIn,
    *,
    cipher: SecretCipher,
) -> Variable:
    """The row of one built-in of ``service``, owned by its environment."""
    row = _builtin(
        environment.id,
        environment.project_id,
        environment.id,
        builtin.key,
        _stored_value(builtin, cipher=cipher),
    )
    row.service_id = service.id
    row.is_secret = builtin.secret
    return row


def _stored_value(builtin: BuiltIn, *, cipher: SecretCipher) -> str:
    return cipher.encrypt(builtin.value) if builtin.secret else builtin.value


@contextmanager
def _keys_taken(name: str) -> Iterator[None]:
    """A concurrent request may have given another service the same keys
    after the check above looked. The name is taken beforehand: a failed
    flush leaves the service's attributes unreadable."""
    try:
        yield
    except IntegrityError as error:
        if violates(error, "uq_variables_owner_id_scope_key"):
            raise InvalidInput.field(
                ("body", "name"),
                f"the built-in variables of {name} clash with those of "
                "another service of the environment: choose a name that differs "
                "in letters or digits",
            ) from error
        raise


def _builtin(
    owner_id: uuid.UUID,
    project_id: uuid.UUID,
    environment_id: uuid.UUID | None,
    key: str,
    value: object,
) -> Variable:
    return Variable(
        owner_id=owner_id,
        scope=VariableScope.BUILT_IN,
        project_id=project_id,
        environment_id=environment_id,
        is_secret=False,
        key=key,
        value=str(value),
        variable_type=VariableType.BUILT_IN,
    )
