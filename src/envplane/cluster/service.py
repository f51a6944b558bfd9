"""Clusters: what environments run on. envplane stores a cluster's configuration
and answers it back; it does not provision clusters itself."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.cluster.repository import cluster_repository as repository
from envplane.cluster.schemas import (
    ClusterDeleteMode,
    ClusterRequest,
    ClusterSettings,
    ClusterSpec,
    SecretManagerAccessRequest,
    SecretManagerAuthentication,
    StoredSecretManagerAccess,
)
from envplane.core.crypto import SecretCipher
from envplane.core.database import violates
from envplane.core.errors import Conflict, InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.models import Cluster
from envplane.models.base import utcnow

log = get_logger(__name__)

AuthT = TypeVar("AuthT", bound=SecretManagerAuthentication)


@dataclass(frozen=True)
class ClusterView:
    cluster: Cluster
    is_default: bool


class ClusterService:
    def list(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> builtins.list[ClusterView]:
        self._authorize(session, principal, organization_id, Permission.READ)
        clusters = repository.list_by_organization(session, organization_id)
        return [
            ClusterView(cluster, is_default=index == 0)
            for index, cluster in enumerate(clusters)
        ]

    def create(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        request: ClusterRequest,
        cipher: SecretCipher,
    ) -> ClusterView:
        self._authorize(session, principal, organization_id, Permission.MANAGE)

        cluster = Cluster(
            organization_id=organization_id,
            **_columns(request),
            settings=_settings(request, ClusterSettings(), cipher),
        )
        session.add(cluster)
        session.flush()
        log.info(
            "cluster.created",
            organization_id=str(organization_id),
            cluster_id=str(cluster.id),
            cloud_provider=request.cloud_provider.value,
        )
        return self._view(session, cluster)

    def update(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        cluster_id: uuid.UUID,
        *,
        request: ClusterRequest,
        cipher: SecretCipher,
    ) -> ClusterView:
        """Replace the whole configuration with ``request``, as PUT does, but
        for the write-only credentials, which are kept unless sent anew."""
        cluster = self._get(
            session, principal, organization_id, cluster_id, Permission.MANAGE
        )
        previous = ClusterSettings.model_validate(cluster.settings)

        for field, value in _columns(request).items():
            setattr(cluster, field, value)
        cluster.settings = _settings(request, previous, cipher)
        session.flush()
        log.info(
            "cluster.updated",
            organization_id=str(organization_id),
            cluster_id=str(cluster_id),
        )
        return self._view(session, cluster)

    def delete(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        cluster_id: uuid.UUID,
        *,
        mode: ClusterDeleteMode,
        skip_reconcile: bool,
    ) -> None:
        """Delete a cluster. ``DEFAULT`` refuses while environments run on it;
        the two other modes delete those environments first, as the official
        document describes. ``skip_reconcile`` changes nothing here, since
        envplane has no cloud resources of the cluster to tear down."""
        if skip_reconcile and mode is ClusterDeleteMode.DELETE_QOVERY_CONFIG:
            raise InvalidInput.field(
                ("query", "skipReconcile"),
                "is not allowed with deleteMode=DELETE_QOVERY_CONFIG",
            )
        cluster = self._get(
            session, principal, organization_id, cluster_id, Permission.MANAGE
        )

        name = cluster.name  # not readable from the session once a flush failed
        environments = repository.count_environments(session, cluster.id)
        if environments and mode is ClusterDeleteMode.DEFAULT:
            raise Conflict(
                f"cluster {name!r} still hosts {environments} "
                f"environment{'s' if environments > 1 else ''}: delete them first "
                "(clone any you want to keep onto another cluster), or delete "
                "them together with the cluster by passing "
                "deleteMode=DELETE_CLUSTER_AND_QOVERY_CONFIG"
            )
        if environments:
            repository.delete_environments(session, cluster.id)
        session.delete(cluster)
        try:
            session.flush()
        except IntegrityError as error:
            if violates(error, "fk_environments_cluster_id_clusters"):
                raise Conflict(
                    f"an environment was created on cluster {name!r} "
                    "while it was being deleted; nothing was deleted, try again"
                ) from error
            raise
        log.info(
            "cluster.deleted",
            organization_id=str(organization_id),
            cluster_id=str(cluster_id),
            mode=mode.value,
            skip_reconcile=skip_reconcile,
            environments_deleted=environments,
        )

    def _authorize(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        permission: Permission,
    ) -> None:
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=("organization", organization_id),
        )

    def _get(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        cluster_id: uuid.UUID,
        permission: Permission,
    ) -> Cluster:
        self._authorize(session, principal, organization_id, permission)
        cluster = repository.get_by_id(session, organization_id, cluster_id)
        if cluster is None:
            raise NotFound.resource("cluster", cluster_id)
        return cluster

    def _view(self, session: Session, cluster: Cluster) -> ClusterView:
        default_id = repository.get_default_id(session, cluster.organization_id)
        return ClusterView(cluster, is_default=default_id == cluster.id)


def _columns(request: ClusterRequest) -> dict[str, Any]:
    return {
        "name": request.name,
        "description": request.description,
        "region": request.region,
        "cloud_provider": request.cloud_provider.value,
    }


def _settings(
    request: ClusterRequest, previous: ClusterSettings, cipher: SecretCipher
) -> dict[str, Any]:
    """The ``settings`` column for ``request``: every field without a column of
    its own, with secret manager credentials encrypted. Write-only fields are
    never answered back, so a request that leaves them out keeps them."""
    accesses = None
    if request.secret_manager_accesses is not None:
        accesses = _secret_manager_accesses(
            request.secret_manager_accesses,
            previous.secret_manager_accesses or [],
            cipher,
        )
    settings = ClusterSettings(
        **{name: getattr(request, name) for name in ClusterSpec.model_fields},
        cloud_provider_credentials=(
            request.cloud_provider_credentials or previous.cloud_provider_credentials
        ),
        features=request.features,
        secret_manager_accesses=accesses,
        is_demo=previous.is_demo,
    )
    return settings.model_dump(mode="json", exclude_none=True)


def _secret_manager_accesses(
    requested: builtins.list[SecretManagerAccessRequest],
    stored: builtins.list[StoredSecretManagerAccess],
    cipher: SecretCipher,
) -> builtins.list[StoredSecretManagerAccess]:
    """Accesses sent without an id are added; one sent with an id replaces the
    stored access of that id, keeping its creation time, its update time when
    nothing changed, and its credential when none is sent for the same mode."""
    known = {access.id: access for access in stored}
    now = utcnow()
    result = []
    for index, access in enumerate(requested):
        old = known.get(access.id) if access.id is not None else None
        if access.id is not None and old is None:
            raise InvalidInput.field(
                ("body", "secret_manager_accesses", index, "id"),
                "this cluster has no secret manager access with this id; "
                "leave the id out to add one",
            )
        authentication, secret = _split_secret(access.authentication)

        encrypted = None if secret is None else cipher.encrypt(secret)
        if (
            old is not None
            and old.authentication.mode == authentication.mode
            and (secret is None or _decrypts_to(cipher, old.encrypted_secret, secret))
        ):
            encrypted = old.encrypted_secret

        new = StoredSecretManagerAccess(
            id=old.id if old else uuid.uuid4(),
            name=access.name,
            created_at=old.created_at if old else now,
            updated_at=now,
            endpoint=access.endpoint,
            authentication=authentication,
            encrypted_secret=encrypted,
        )
        if old is not None and _same(old, new):
            new = old
        result.append(new)
    return result


def _split_secret(authentication: AuthT) -> tuple[AuthT, str | None]:
    """The authentication without its credential, and the credential."""
    field = authentication.secret_field
    if field is None:
        return authentication, None
    secret = getattr(authentication, field)
    return authentication.model_copy(update={field: None}), secret


def _same(old: StoredSecretManagerAccess, new: StoredSecretManagerAccess) -> bool:
    ignored = {"updated_at"}
    return old.model_dump(exclude=ignored) == new.model_dump(exclude=ignored)


def _decrypts_to(cipher: SecretCipher, encrypted: str | None, secret: str) -> bool:
    if encrypted is None:
        return False
    try:
        return cipher.decrypt(encrypted) == secret
    except ValueError:  # encrypted with a key no longer configured
        return False


cluster_service = ClusterService()
