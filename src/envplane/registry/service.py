"""Container registries and helm repositories: where an organization's images
and charts come from. Both are the same resource to envplane (a kind, a url and
a ``config`` whose credentials are write-only), so one service serves both,
told apart by a ``Resource`` describing each.

Credentials are stored encrypted under the ``encrypted`` key of the stored
``config``, apart from the keys an answer may show.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.crypto import SecretCipher
from envplane.core.errors import Conflict, InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.models import ContainerRegistry, HelmRepository
from envplane.registry.repository import RecordT, Reference
from envplane.registry.repository import registry_repository as repository
from envplane.registry.schemas import (
    ContainerRegistryKindEnum,
    ContainerRegistryRequest,
    HelmRepositoryKindEnum,
    HelmRepositoryRequest,
)
from envplane.service.kinds.base import ServiceType

log = get_logger(__name__)

RegistryRequest = ContainerRegistryRequest | HelmRepositoryRequest

ENCRYPTED = "encrypted"
SECRETS = frozenset(
    {"password", "secret_access_key", "scaleway_secret_key", "json_credentials"}
)


@dataclass(frozen=True)
class SignIn:
    """One way to sign in to a registry: the keys it needs and those it may add."""

    needs: tuple[str, ...]
    may: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (*self.needs, *self.may)


@dataclass(frozen=True)
class KindRule:
    """What a kind takes in ``config`` and as its url."""

    needs: tuple[str, ...] = ()
    sign_ins: tuple[SignIn, ...] = ()
    # Whether a registry of the kind may be used with no credentials at all.
    anonymous: bool = False
    scheme: str = "https"
    # The one url the kind accepts, also its default.
    fixed_url: str | None = None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.needs).union(*(s.keys for s in self.sign_ins))


LOGIN = SignIn(("username", "password"))
AWS_KEYS = SignIn(("access_key_id", "secret_access_key"))
ROLE_ARN = SignIn(("role_arn",))
SCALEWAY_KEYS = SignIn(("scaleway_access_key", "scaleway_secret_key"))
GCP_JSON_KEY = SignIn(("json_credentials",))
GCP_WORKLOAD_IDENTITY = SignIn(
    (
        "gcp_credentials_type",
        "project_id",
        "service_account_email",
        "workload_identity_provider_resource",
    ),
    may=("token_lifetime_seconds",),
)

PUBLIC_LOGIN = KindRule(sign_ins=(LOGIN,), anonymous=True)
ECR = KindRule(needs=("region",), sign_ins=(AWS_KEYS, ROLE_ARN))
SCALEWAY = KindRule(needs=("region", "scaleway_project_id"), sign_ins=(SCALEWAY_KEYS,))

CONTAINER_REGISTRY_RULES: Mapping[str, KindRule] = {
    ContainerRegistryKindEnum.ECR: ECR,
    ContainerRegistryKindEnum.SCALEWAY_CR: SCALEWAY,
    ContainerRegistryKindEnum.DOCKER_HUB: KindRule(
        sign_ins=(LOGIN,), anonymous=True, fixed_url="https://docker.io"
    ),
    ContainerRegistryKindEnum.GITHUB_CR: KindRule(
        sign_ins=(LOGIN,), anonymous=True, fixed_url="https://ghcr.io"
    ),
    ContainerRegistryKindEnum.GITHUB_ENTERPRISE_CR: PUBLIC_LOGIN,
    ContainerRegistryKindEnum.GITLAB_CR: KindRule(
        sign_ins=(LOGIN,), anonymous=True, fixed_url="https://registry.gitlab.com"
    ),
    # The document says public ECR needs no credentials, yet lists the AWS keys
    # as used by it: they are taken, as a pair, when sent.
    ContainerRegistryKindEnum.PUBLIC_ECR: KindRule(
        sign_ins=(AWS_KEYS,), anonymous=True
    ),
    ContainerRegistryKindEnum.GENERIC_CR: PUBLIC_LOGIN,
    ContainerRegistryKindEnum.GCP_ARTIFACT_REGISTRY: KindRule(
        needs=("region",), sign_ins=(GCP_JSON_KEY, GCP_WORKLOAD_IDENTITY)
    ),
    ContainerRegistryKindEnum.AZURE_CR: KindRule(
        needs=("azure_tenant_id", "azure_subscription_id")
    ),
}

HELM_REPOSITORY_RULES: Mapping[str, KindRule] = {
    HelmRepositoryKindEnum.HTTPS: PUBLIC_LOGIN,
    HelmRepositoryKindEnum.OCI_ECR: KindRule(
        needs=ECR.needs, sign_ins=ECR.sign_ins, scheme="oci"
    ),
    HelmRepositoryKindEnum.OCI_SCALEWAY_CR: KindRule(
        needs=SCALEWAY.needs, sign_ins=SCALEWAY.sign_ins, scheme="oci"
    ),
    HelmRepositoryKindEnum.OCI_DOCKER_HUB: KindRule(
        sign_ins=(LOGIN,), anonymous=True, scheme="oci"
    ),
    HelmRepositoryKindEnum.OCI_PUBLIC_ECR: KindRule(sign_ins=(AWS_KEYS,), scheme="oci"),
    HelmRepositoryKindEnum.OCI_GENERIC_CR: KindRule(
        sign_ins=(LOGIN,), anonymous=True, scheme="oci"
    ),
    HelmRepositoryKindEnum.OCI_GITHUB_CR: KindRule(
        sign_ins=(LOGIN,), anonymous=True, scheme="oci"
    ),
    HelmRepositoryKindEnum.OCI_GITLAB_CR: KindRule(
        sign_ins=(LOGIN,), anonymous=True, scheme="oci"
    ),
}

RETIRED_KINDS: Mapping[str, str] = {
    ContainerRegistryKindEnum.DOCR: "DOCR is not supported anymore; "
    "use GENERIC_CR with the registry's url and credentials"
}


@dataclass(frozen=True)
class Resource(Generic[RecordT]):
    model: type[RecordT]
    noun: str
    rules: Mapping[str, KindRule]
    # The services that use a record of this resource, and where they name it.
    references: tuple[Reference, ...]


CONTAINER_REGISTRY = Resource(
    model=ContainerRegistry,
    noun="container registry",
    rules=CONTAINER_REGISTRY_RULES,
    references=(
        (ServiceType.CONTAINER.value, ("registry_id",)),
        (ServiceType.JOB.value, ("source", "image", "registry_id")),
    ),
)
HELM_REPOSITORY = Resource(
    model=HelmRepository,
    noun="helm repository",
    rules=HELM_REPOSITORY_RULES,
    references=((ServiceType.HELM.value, ("source", "helm_repository", "repository")),),
)


@dataclass(frozen=True)
class RegistryView(Generic[RecordT]):
    record: RecordT
    services: int


class RegistryService(Generic[RecordT]):
    def __init__(self, resource: Resource[RecordT]):
        self.resource: Resource[RecordT] = resource

    def list(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> builtins.list[RegistryView[RecordT]]:
        self._authorize(session, principal, organization_id, Permission.READ)
        records = repository.list_by_organization(
            session, self.resource.model, organization_id
        )
        counts = repository.count_services(
            session,
            organization_id,
            self.resource.references,
            [record.id for record in records],
        )
        return [RegistryView(r, counts.get(r.id, 0)) for r in records]

    def get(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        record_id: uuid.UUID,
    ) -> RegistryView[RecordT]:
        record = self._get(
            session, principal, organization_id, record_id, Permission.READ
        )
        return self._view(session, record)

    def create(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        request: RegistryRequest,
        cipher: SecretCipher,
    ) -> RegistryView[RecordT]:
        self._authorize(session, principal, organization_id, Permission.MANAGE)
        rule = self._rule(request)
        url = _url(rule, request)
        config = _config(rule, request, stored=None, cipher=cipher)
        self._check_name(session, organization_id, request.name, excluding=None)

        record = self.resource.model(
            organization_id=organization_id,
            **_columns(request),
            url=url,
            config=config,
        )
        session.add(record)
        session.flush()
        log.info(
            "registry.created",
            resource=self.resource.noun,
            organization_id=str(organization_id),
            registry_id=str(record.id),
            kind=request.kind.value,
        )
        return RegistryView(record, 0)

    def update(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        record_id: uuid.UUID,
        *,
        request: RegistryRequest,
        cipher: SecretCipher,
    ) -> RegistryView[RecordT]:
        """Replace everything with ``request``, as PUT does, but the write-only
        credentials, which are kept unless sent anew (see ``_config``)."""
        record = self._get(
            session, principal, organization_id, record_id, Permission.MANAGE
        )
        rule = self._rule(request)
        url = _url(rule, request)
        stored = record.config if record.kind == request.kind else None
        config = _config(rule, request, stored=stored, cipher=cipher)
        self._check_name(session, organization_id, request.name, excluding=record.id)

        for field, value in _columns(request).items():
            setattr(record, field, value)
        record.url = url
        record.config = config
        session.flush()
        log.info(
            "registry.updated",
            resource=self.resource.noun,
            organization_id=str(organization_id),
            registry_id=str(record_id),
            kind=request.kind.value,
        )
        return self._view(session, record)

    def delete(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        record_id: uuid.UUID,
    ) -> None:
        record = self._get(
            session, principal, organization_id, record_id, Permission.MANAGE
        )

        # TODO(registry): a service created in a concurrent transaction can
        # still name the record after this count; it is then left pointing at
        # nothing and fails at deploy time. Taking the record's row lock here
        # and a share lock where services check their references would close it.
        services = self._view(session, record).services
        if services:
            raise Conflict(
                f"{self.resource.noun} {record.name!r} is used by {services} "
                f"service{'s' if services > 1 else ''}: point "
                f"{'them' if services > 1 else 'it'} at another "
                f"{self.resource.noun}, or delete "
                f"{'them' if services > 1 else 'it'}, then try again"
            )
        session.delete(record)
        session.flush()
        log.info(
            "registry.deleted",
            resource=self.resource.noun,
            organization_id=str(organization_id),
            registry_id=str(record_id),
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
        record_id: uuid.UUID,
        permission: Permission,
    ) -> RecordT:
        record = repository.get_by_id(
            session, self.resource.model, organization_id, record_id
        )
        if record is None:
            raise NotFound.resource(self.resource.noun, record_id)
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=(self.resource.noun, record_id),
        )
        return record

    def _view(self, session: Session, record: RecordT) -> RegistryView[RecordT]:
        counts = repository.count_services(
            session, record.organization_id, self.resource.references, [record.id]
        )
        return RegistryView(record, counts.get(record.id, 0))

    def _rule(self, request: RegistryRequest) -> KindRule:
        retired = RETIRED_KINDS.get(request.kind)
        if retired is not None:
            raise InvalidInput.field(("body", "kind"), retired)
        return self.resource.rules[request.kind]

    def _check_name(
        self,
        session: Session,
        organization_id: uuid.UUID,
        name: str,
        *,
        excluding: uuid.UUID | None,
    ) -> None:
        """Names are unique in the organization whatever their case, so that
        people can tell registries apart where services pick one."""
        repository.lock_names(session, organization_id)
        if repository.name_taken(
            session, self.resource.model, organization_id, name, excluding=excluding
        ):
            raise InvalidInput.field(
                ("body", "name"),
                f"this organization already has a {self.resource.noun} named "
                f"{name!r} (names are compared without regard to case); "
                "choose another name",
            )


def _columns(request: RegistryRequest) -> dict[str, Any]:
    """The request's fields that have a column of the same name."""
    return {
        "kind": request.kind.value,
        **request.model_dump(include={"name", "description", "skip_tls_verification"}),
    }


def _url(rule: KindRule, request: RegistryRequest) -> str:
    url = request.url
    if rule.fixed_url is not None:
        if not url or url.rstrip("/") == rule.fixed_url:
            return rule.fixed_url
        raise InvalidInput.field(
            ("body", "url"),
            f"must be {rule.fixed_url} for {request.kind.value}; "
            "leave it out to get it",
        )
    if not url:
        raise InvalidInput.field(
            ("body", "url"),
            f"is required for {request.kind.value}: send the address, "
            f"starting with {rule.scheme}://",
        )
    parts = urlsplit(url)
    blank = any(char.isspace() for char in url)
    if parts.scheme != rule.scheme or not parts.hostname or blank:
        raise InvalidInput.field(
            ("body", "url"),
            f"must be a url starting with {rule.scheme}:// followed by a host "
            f"for {request.kind.value}",
        )
    return url


def _config(
    rule: KindRule,
    request: RegistryRequest,
    *,
    stored: dict[str, Any] | None,
    cipher: SecretCipher,
) -> dict[str, Any]:
    """The ``config`` column for ``request``, its credentials encrypted.

    Credentials are never answered back, so an edit that leaves one out keeps
    the stored one (``stored``, given when the kind is unchanged) as long as the
    request still signs in the same way: with the same access key or user name
    beside it, and no key of another way to sign in.
    """
    kind = request.kind.value
    sent = request.config.model_dump(mode="json", exclude_none=True)
    for key in sent:
        if key not in rule.keys:
            raise _config_error(key, f"is not used by {kind}; leave it out")
    for key in rule.needs:
        if key not in sent:
            raise _config_error(key, f"is required for {kind}")

    kept = _kept_secrets(rule, sent, stored or {})
    _check_sign_in(rule, kind, present={*sent, *kept})

    encrypted = {
        key: cipher.encrypt(value) for key, value in sent.items() if key in SECRETS
    }
    config = {key: value for key, value in sent.items() if key not in SECRETS}
    if encrypted or kept:
        config[ENCRYPTED] = {**kept, **encrypted}
    return config


def _check_sign_in(rule: KindRule, kind: str, *, present: set[str]) -> None:
    """The keys present sign in one way the kind offers, and completely."""
    chosen = [s for s in rule.sign_ins if present.intersection(s.keys)]
    if len(chosen) > 1:
        first, second = chosen[0], chosen[1]
        raise _config_error(
            second.needs[0],
            f"{kind} signs in with either {_listed(first)} or {_listed(second)}, "
            "not both",
        )
    if not chosen and not rule.anonymous and rule.sign_ins:
        ways = " or ".join(_listed(s) for s in rule.sign_ins)
        raise _config_error(rule.sign_ins[0].needs[0], f"{kind} needs {ways}")
    for sign_in in chosen:
        for key in sign_in.needs:
            if key not in present:
                raise _config_error(key, f"is required with {_listed(sign_in)}")


def _kept_secrets(
    rule: KindRule, sent: dict[str, Any], stored: dict[str, Any]
) -> dict[str, str]:
    """The stored credentials (encrypted) the request leaves out and still
    signs in with."""
    kept = {}
    for key, ciphertext in stored.get(ENCRYPTED, {}).items():
        sign_in = next((s for s in rule.sign_ins if key in s.needs), None)
        if key in sent or sign_in is None:
            continue
        others = [s for s in rule.sign_ins if s is not sign_in]
        beside = all(k in sent for k in sign_in.needs if k not in SECRETS)
        if beside and not any(set(sent).intersection(s.keys) for s in others):
            kept[key] = ciphertext
    return kept


def _listed(sign_in: SignIn) -> str:
    *first, last = sign_in.needs
    return f"{', '.join(first)} and {last}" if first else last


def _config_error(key: str, message: str) -> InvalidInput:
    return InvalidInput.field(("body", "config", key), message)


container_registry_service = RegistryService(CONTAINER_REGISTRY)
helm_repository_service = RegistryService(HELM_REPOSITORY)
