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
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Table,
    Uuid,
    and_,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased, class_mapper

from envplane.core.crypto import SecretCipher
from envplane.core.errors import InvalidInput
from envplane.core.logging import get_logger
from envplane.core.sql import JSON_ROWS, json_document, json_rows, random_uuid
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
    id_map,
    insert_entries,
    pair_ids,
    paired,
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
    if target_project_id != source_project_id:
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

    with id_map(session):
        _map_ids(session, source=source)
        _copy_stages(session, source=source, copy=copy)
        services = _copy_services(session, source=source, copy=copy, cipher=cipher)
        _add_builtins(session, copy=copy, services=services, cipher=cipher)
        _map_builtins(session, source_id=source.id, copy_id=copy.id)
        copied = _copy_variables(
            session, source=source, copy=copy, source_project_id=source_project_id
        )

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
    parent = aliased(Variable)
    target = aliased(Variable)
    statement = (
        select(parent.key)
        .distinct()
        .join(Variable, Variable.parent_id == parent.id)
        .outerjoin(target, _same_entry_in(target, parent, target_project_id))
        .where(
            Variable.environment_id == source_id,
            parent.owner_id == source_project_id,
            target.id.is_(None),
        )
        .order_by(parent.key)
    )
    missing = session.scalars(statement).all()
    if missing:
        raise InvalidInput.field(
            ("body", "project_id"),
            "the target project lacks project variables or secrets that this "
            f"environment's aliases and overrides point at: {', '.join(missing)}; "
            "create them in the target project first",
        )


def _same_entry_in(
    target: type[Variable], parent: type[Variable], project_id: uuid.UUID
) -> ColumnElement[bool]:
    """Join condition: ``target`` is the entry of ``project_id`` matching ``parent``."""
    return and_(
        target.owner_id == project_id,
        target.scope == parent.scope,
        target.key == parent.key,
        target.is_secret == parent.is_secret,
        target.variable_type.in_(PARENT_TYPES),
    )


def _map_ids(session: Session, *, source: Environment) -> None:
    """A new id for the environment's stages, services and the entries it and
    its services define."""
    new_id = random_uuid()
    stages = select(DeploymentStage.id, new_id).where(
        DeploymentStage.environment_id == source.id
    )
    services = select(Service.id, new_id).where(Service.environment_id == source.id)
    entries = select(Variable.id, new_id).where(
        Variable.environment_id == source.id, Variable.scope != _BUILT_IN
    )
    pair_ids(session, union_all(stages, services, entries))


def _copy_stages(session: Session, *, source: Environment, copy: Environment) -> None:
    stage_map = ID_MAP.alias()
    rows = (
        select(
            stage_map.c.new_id,
            literal(copy.id, Uuid()),
            DeploymentStage.name,
            DeploymentStage.description,
            DeploymentStage.position,
            literal(utcnow(), UTCDateTime()),
            null(),
        )
        .join(stage_map, paired(stage_map, DeploymentStage.id))
        .where(DeploymentStage.environment_id == source.id)
    )
    columns = [
        DeploymentStage.id,
        DeploymentStage.environment_id,
        DeploymentStage.name,
        DeploymentStage.description,
        DeploymentStage.position,
        DeploymentStage.created_at,
        DeploymentStage.updated_at,
    ]
    session.execute(insert(DeploymentStage).from_select(columns, rows))


def _copy_services(
    session: Session,
    *,
    source: Environment,
    copy: Environment,
    cipher: SecretCipher,
) -> list[Service]:
    """Copy every service with its stage membership, and return the copies.

    Each configuration passes through its kind, which gives the copy what must
    not be shared (fresh port and volume ids, a new database password), so the
    rows are built here from one SELECT of plain columns and written with one
    insert.
    """
    service_map, stage_map = ID_MAP.alias(), ID_MAP.alias()
    sources = session.execute(
        select(
            Service.kind,
            Service.name,
            Service.configuration,
            Service.is_skipped,
            service_map.c.new_id,
            stage_map.c.new_id,
        )
        .join(service_map, paired(service_map, Service.id))
        .outerjoin(stage_map, paired(stage_map, Service.deployment_stage_id))
        .where(Service.environment_id == source.id)
    )
    created_at = utcnow()
    copies = [
        Service(
            id=new_id,
            environment_id=copy.id,
            kind=kind,
            name=name,
            configuration=KINDS[ServiceType(kind)].copied(configuration, cipher=cipher),
            deployment_stage_id=stage_id,
            is_skipped=is_skipped,
            created_at=created_at,
            updated_at=None,
        )
        for kind, name, configuration, is_skipped, new_id, stage_id in sources
    ]
    _insert_records(session, Service, copies)
    return copies


def _add_builtins(
    session: Session,
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
    created_at = utcnow()
    for builtin in builtins:
        builtin.id, builtin.created_at = uuid.uuid4(), created_at
    _insert_records(session, Variable, builtins)


def _insert_records(
    session: Session,
    model: type[Service] | type[Variable],
    records: Sequence[Service | Variable],
) -> None:
    """Write transient records of ``model`` with one statement however many
    there are, where the session would batch its flush."""
    if not records:
        return
    columns = list(class_mapper(model).columns)
    rows = (
        {column.key: getattr(record, column.key) for column in columns}
        for record in records
    )
    dialect = session.get_bind().dialect
    # The table's own insert: the ORM's would take the parameter for a column.
    table = cast(Table, model.__table__)
    statement = insert(table).from_select(columns, json_rows(dialect, columns))
    session.execute(statement, {JSON_ROWS: json_document(dialect, columns, rows)})


def _map_builtins(
    session: Session, *, source_id: uuid.UUID, copy_id: uuid.UUID
) -> None:
    """Pair each built-in of the source with the copy's built-in of the same key,
    so that aliases and overrides of built-ins follow to the copy's."""
    copied = aliased(Variable)
    rows = (
        select(Variable.id, copied.id)
        .join(
            copied,
            and_(
                copied.owner_id == copy_id,
                copied.scope == _BUILT_IN,
                copied.key == Variable.key,
            ),
        )
        .where(Variable.owner_id == source_id, Variable.scope == _BUILT_IN)
    )
    pair_ids(session, rows)


def _copy_variables(
    session: Session,
    *,
    source: Environment,
    copy: Environment,
    source_project_id: uuid.UUID,
) -> int:
    """Copy the variables and secrets of the environment and its services,
    values included (secret ciphertexts are valid as they are). Owners and
    services become their copies. A parent that was copied or regenerated
    becomes its copy; a project entry stays the project's own, or becomes the
    target project's entry with the same key."""
    row_map, service_map, parent_map = ID_MAP.alias(), ID_MAP.alias(), ID_MAP.alias()
    parent = aliased(Variable)
    target = aliased(Variable)
    across_projects = copy.project_id != source_project_id

    outside_parent = target.id if across_projects else Variable.parent_id
    rows = (
        select(
            row_map.c.new_id,
            # A service's entries belong to the service; the others to the
            # environment.
            func.coalesce(service_map.c.new_id, literal(copy.id, Uuid())),
            Variable.scope,
            literal(copy.project_id, Uuid()),
            literal(copy.id, Uuid()),
            service_map.c.new_id,
            Variable.is_secret,
            Variable.key,
            Variable.value,
            Variable.variable_type,
            Variable.mount_path,
            Variable.description,
            Variable.enable_interpolation_in_file,
            func.coalesce(parent_map.c.new_id, outside_parent),
            literal(utcnow(), UTCDateTime()),
            null(),
        )
        .join(row_map, paired(row_map, Variable.id))
        .outerjoin(service_map, paired(service_map, Variable.service_id))
        .outerjoin(parent_map, paired(parent_map, Variable.parent_id))
        .where(Variable.environment_id == source.id, Variable.scope != _BUILT_IN)
    )
    if across_projects:
        rows = rows.outerjoin(parent, parent.id == Variable.parent_id).outerjoin(
            target, _same_entry_in(target, parent, copy.project_id)
        )
    return insert_entries(session, rows)
