"""Environment clone: the whole configuration of an environment (deployment
stages, services, variables and secrets at every scope) copied into a new one
inside the caller's transaction.

Each step copies one kind of row with a single INSERT ... SELECT. New ids come
from the database, and an id map pairs every copied row with its copy so that
references between copied rows (a service's stage, an entry's service or
parent) are rewritten in SQL. Built-in variables derive from ids, so they are
generated for the copy in one insert and paired with the source's by key. The
number of statements is therefore the same for an environment with one service
and ten variables or a hundred services and ten thousand variables, and either
all rows appear or none do. Custom domains are not copied (two environments
cannot answer on one domain), nor is any database's data.
"""

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Insert,
    Select,
    Table,
    Uuid,
    and_,
    bindparam,
    func,
    insert,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from envplane.core.crypto import SecretCipher
from envplane.core.errors import InvalidInput
from envplane.core.logging import get_logger
from envplane.core.sql import JSON_ROWS, json_document, json_insert, random_uuid
from envplane.models import (
    DeploymentStage,
    Environment,
    Service,
    Variable,
)
from envplane.models.base import UTCDateTime, utcnow
from envplane.service.kinds import KINDS
from envplane.service.kinds.base import ServiceType
from envplane.variable.builtins import environment_builtins, service_builtin
from envplane.variable.copying import (
    ID_MAP,
    PARENT_TYPES,
    VARIABLES,
    entries_insert,
    id_map,
    inserted,
    paired,
    pairing,
)
from envplane.variable.scopes import VariableScope

log = get_logger(__name__)

_BUILT_IN = VariableScope.BUILT_IN


def clone_environment(
    session: Session,
    *,
    source: Environment,
    source_project_id: uuid.UUID,
    target_project_id: uuid.UUID,
    cluster_id: uuid.UUID,
    name: str,
    mode: str,
    user_id: uuid.UUID,
    cipher: SecretCipher,
) -> Environment:
    """Copy ``source`` into a new environment and return it."""
    across_projects = target_project_id != source_project_id
    if across_projects:
        _check_project_parents_exist(
            session,
            source_id=source.id,
            source_project_id=source_project_id,
            target_project_id=target_project_id,
        )

    copy = Environment(
        project_id=target_project_id,
        cluster_id=cluster_id,
        name=name,
        mode=mode,
        last_updated_by=user_id,
    )
    session.add(copy)
    session.flush()

    # The statements are built once (below) and read these parameters.
    parameters = {
        "source_id": source.id,
        "copy_id": copy.id,
        "project_id": copy.project_id,
        "now": utcnow(),
    }
    with id_map(session):
        session.execute(_PAIR_IDS, parameters)
        session.execute(_COPY_STAGES, parameters)
        services = _copy_services(session, parameters, copy=copy, cipher=cipher)
        _add_builtins(session, parameters, copy=copy, services=services, cipher=cipher)
        session.execute(_PAIR_BUILTINS, parameters)
        copy_entries = (
            _COPY_ENTRIES_ACROSS_PROJECTS if across_projects else _COPY_ENTRIES
        )
        copied = inserted(session.execute(copy_entries, parameters))

    log.info(
        "environment.clone.completed",
        source_environment_id=str(source.id),
        environment_id=str(copy.id),
        project_id=str(target_project_id),
        services=len(services),
        variables=copied,
    )
    return copy


def _check_project_parents_exist(
    session: Session,
    *,
    source_id: uuid.UUID,
    source_project_id: uuid.UUID,
    target_project_id: uuid.UUID,
) -> None:
    """Aliases and overrides of project entries must find an entry with the same
    key in the target project; refuse the clone, naming the keys, if any is missing."""
    parameters = {
        "source_id": source_id,
        "source_project_id": source_project_id,
        "project_id": target_project_id,
    }
    missing = session.scalars(_MISSING_PROJECT_PARENTS, parameters).all()
    if missing:
        raise InvalidInput.field(
            ("body", "project_id"),
            "the target project lacks project variables or secrets that this "
            f"environment's aliases and overrides point at: {', '.join(missing)}; "
            "create them in the target project first",
        )


def _copy_services(
    session: Session,
    parameters: dict[str, Any],
    *,
    copy: Environment,
    cipher: SecretCipher,
) -> list[Service]:
    """Copy every service with its stage membership, and return the copies.

    Each configuration passes through its kind, which gives the copy what must
    not be shared (fresh port and volume ids, a new database password), so the
    rows are built here from one SELECT of plain columns and written with one
    insert.
    """
    copies = [
        Service(
            id=new_id,
            environment_id=copy.id,
            kind=kind,
            name=name,
            configuration=KINDS[ServiceType(kind)].copied(configuration, cipher=cipher),
            deployment_stage_id=stage_id,
            is_skipped=is_skipped,
            created_at=parameters["now"],
            updated_at=None,
        )
        for kind, name, configuration, is_skipped, new_id, stage_id in session.execute(
            _SOURCE_SERVICES, parameters
        )
    ]
    _insert_records(session, SERVICES, copies)
    return copies


def _add_builtins(
    session: Session,
    parameters: dict[str, Any],
    *,
    copy: Environment,
    services: list[Service],
    cipher: SecretCipher,
) -> None:
    """Generate the built-ins of the copy and its services in one insert: they
    derive from ids, so they are made anew rather than copied."""
    builtins = [
        *environment_builtins(copy),
        *(
            service_builtin(copy, service, builtin, cipher=cipher)
            for service in services
            for builtin in KINDS[ServiceType(service.kind)].builtins(
                service, cipher=cipher
            )
        ),
    ]
    for builtin in builtins:
        builtin.id, builtin.created_at = uuid.uuid4(), parameters["now"]
    _insert_records(session, VARIABLES, builtins)


def _insert_records(
    session: Session, table: Table, records: Sequence[Service | Variable]
) -> None:
    """Write transient records into ``table`` with one statement however many
    there are, where the session would batch its flush."""
    if not records:
        return
    dialect = session.get_bind().dialect
    rows = (
        {column.key: getattr(record, column.key) for column in table.columns}
        for record in records
    )
    document = json_document(dialect, table, rows)
    session.execute(json_insert(dialect, table), {JSON_ROWS: document})


# The statements of a clone, built once: building one costs more than running
# it for a small environment. Each reads its values from the parameters
# ``clone_environment`` binds: ``source_id``, ``copy_id``, ``project_id`` (the
# copy's project) and ``now``, and for the check across projects
# ``source_project_id``.
STAGES = cast(Table, DeploymentStage.__table__)
SERVICES = cast(Table, Service.__table__)

_source_id = bindparam("source_id", type_=Uuid())
_copy_id = bindparam("copy_id", type_=Uuid())
_project_id = bindparam("project_id", type_=Uuid())
_now = bindparam("now", type_=UTCDateTime())


def _same_entry_in(target: FromClause, parent: FromClause) -> ColumnElement[bool]:
    """Join condition: ``target`` is the entry of the copy's project matching
    ``parent``."""
    return and_(
        target.c.owner_id == _project_id,
        target.c.scope == parent.c.scope,
        target.c.key == parent.c.key,
        target.c.is_secret == parent.c.is_secret,
        target.c.variable_type.in_(PARENT_TYPES),
    )


def _missing_project_parents() -> Select[str]:
    entry, parent, target = VARIABLES, VARIABLES.alias(), VARIABLES.alias()
    return (
        select(parent.c.key)
        .distinct()
        .join(entry, entry.c.parent_id == parent.c.id)
        .outerjoin(target, _same_entry_in(target, parent))
        .where(
            entry.c.environment_id == _source_id,
            parent.c.owner_id == bindparam("source_project_id", type_=Uuid()),
            target.c.id.is_(None),
        )
        .order_by(parent.c.key)
    )


def _pair_ids() -> Insert:
    """A new id for the environment's stages, services and the entries it and
    its services define."""
    new_id = random_uuid()
    stages = select(STAGES.c.id, new_id).where(STAGES.c.environment_id == _source_id)
    services = select(SERVICES.c.id, new_id).where(
        SERVICES.c.environment_id == _source_id
    )
    entries = select(VARIABLES.c.id, new_id).where(
        VARIABLES.c.environment_id == _source_id, VARIABLES.c.scope != _BUILT_IN
    )
    return pairing(union_all(stages, services, entries))


def _copy_stages() -> Insert:
    stage_map = ID_MAP.alias()
    rows = (
        select(
            stage_map.c.new_id,
            _copy_id,
            STAGES.c.name,
            STAGES.c.description,
            STAGES.c.position,
            _now,
            null(),
        )
        .join(stage_map, paired(stage_map, STAGES.c.id))
        .where(STAGES.c.environment_id == _source_id)
    )
    columns = [
        STAGES.c[name]
        for name in (
            "id",
            "environment_id",
            "name",
            "description",
            "position",
            "created_at",
            "updated_at",
        )
    ]
    return insert(STAGES).from_select(columns, rows)


def _source_services() -> Select[Any]:
    """Each service of the source as plain columns, with the ids of its copy
    and of its stage's copy."""
    service_map, stage_map = ID_MAP.alias(), ID_MAP.alias()
    return (
        select(
            SERVICES.c.kind,
            SERVICES.c.name,
            SERVICES.c.configuration,
            SERVICES.c.is_skipped,
            service_map.c.new_id,
            stage_map.c.new_id,
        )
        .join(service_map, paired(service_map, SERVICES.c.id))
        .outerjoin(stage_map, paired(stage_map, SERVICES.c.deployment_stage_id))
        .where(SERVICES.c.environment_id == _source_id)
    )


def _pair_builtins() -> Insert:
    """Pair each built-in of the source with the copy's built-in of the same
    key, so that aliases and overrides of built-ins follow to the copy's."""
    source, copied = VARIABLES, VARIABLES.alias()
    rows = (
        select(source.c.id, copied.c.id)
        .join(
            copied,
            and_(
                copied.c.owner_id == _copy_id,
                copied.c.scope == _BUILT_IN,
                copied.c.key == source.c.key,
            ),
        )
        .where(source.c.owner_id == _source_id, source.c.scope == _BUILT_IN)
    )
    return pairing(rows)


def _copy_entries(*, across_projects: bool) -> Insert:
    """Copy the variables and secrets of the environment and its services,
    values included (secret ciphertexts are valid as they are). Owners and
    services become their copies. A parent that was copied or regenerated
    becomes its copy; a project entry stays the project's own, or, across
    projects, becomes the target project's entry with the same key."""
    entry = VARIABLES
    row_map, service_map, parent_map = ID_MAP.alias(), ID_MAP.alias(), ID_MAP.alias()
    parent, target = VARIABLES.alias(), VARIABLES.alias()
    outside_parent = target.c.id if across_projects else entry.c.parent_id
    rows = (
        select(
            row_map.c.new_id,
            # A service's entries belong to the service; the others to the
            # environment.
            func.coalesce(service_map.c.new_id, _copy_id),
            entry.c.scope,
            _project_id,
            _copy_id,
            service_map.c.new_id,
            entry.c.is_secret,
            entry.c.key,
            entry.c.value,
            entry.c.variable_type,
            entry.c.mount_path,
            entry.c.description,
            entry.c.enable_interpolation_in_file,
            func.coalesce(parent_map.c.new_id, outside_parent),
            _now,
            null(),
        )
        .join(row_map, paired(row_map, entry.c.id))
        .outerjoin(service_map, paired(service_map, entry.c.service_id))
        .outerjoin(parent_map, paired(parent_map, entry.c.parent_id))
        .where(entry.c.environment_id == _source_id, entry.c.scope != _BUILT_IN)
    )
    if across_projects:
        rows = rows.outerjoin(parent, parent.c.id == entry.c.parent_id).outerjoin(
            target, _same_entry_in(target, parent)
        )
    return entries_insert(rows)


_MISSING_PROJECT_PARENTS = _missing_project_parents()
_PAIR_IDS = _pair_ids()
_COPY_STAGES = _copy_stages()
_SOURCE_SERVICES = _source_services()
_PAIR_BUILTINS = _pair_builtins()
_COPY_ENTRIES = _copy_entries(across_projects=False)
_COPY_ENTRIES_ACROSS_PROJECTS = _copy_entries(across_projects=True)
