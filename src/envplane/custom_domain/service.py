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
from envplane.core.database import violates
from envplane.core.errors import InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.custom_domain.repository import (
    custom_domain_repository as repository,
)
from envplane.custom_domain.schemas import CustomDomainRequest
from envplane.models import CustomDomain, Service
from envplane.service.kinds.base import ServiceType

log = get_logger(__name__)

DOMAIN_MAX_LENGTH = 253
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
_WILDCARD = "*"


class CustomDomainService:
    """The domains an application or a container answers on, besides the one
    envplane gives it. A domain is served by one service at most: it is refused
    when another service of the organization has it already."""

    def list(
        self,
        session: Session,
        *,
        principal: Principal,
        kind: ServiceType,
        service_id: uuid.UUID,
    ) -> builtins.list[CustomDomain]:
        self._service(session, principal, kind, service_id, Permission.READ)
        return list(repository.list_by_service(session, service_id))

    def create(
        self,
        session: Session,
        *,
        principal: Principal,
        kind: ServiceType,
        service_id: uuid.UUID,
        request: CustomDomainRequest,
    ) -> CustomDomain:
        service, organization_id = self._service(
            session, principal, kind, service_id, Permission.WRITE
        )
        domain = _checked_domain(request.domain)
        _check_free(session, organization_id, domain, service=service)

        custom_domain = CustomDomain(
            service_id=service.id,
            domain=domain,
            generate_certificate=request.generate_certificate,
            use_cdn=request.use_cdn,
        )
        session.add(custom_domain)
        with _unique_domain(domain, kind):
            session.flush()
        _log_change("custom_domain.created", custom_domain)
        return custom_domain

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        kind: ServiceType,
        service_id: uuid.UUID,
        custom_domain_id: uuid.UUID,
        request: CustomDomainRequest,
    ) -> CustomDomain:
        """Replace a custom domain's settings: what the request leaves out is
        unset, as with any PUT."""
        service, organization_id = self._service(
            session, principal, kind, service_id, Permission.WRITE
        )
        custom_domain = self._own(session, kind, service, custom_domain_id)
        domain = _checked_domain(request.domain)
        _check_free(
            session, organization_id, domain, service=service, other_than=custom_domain
        )

        custom_domain.domain = domain
        custom_domain.generate_certificate = request.generate_certificate
        custom_domain.use_cdn = request.use_cdn
        with _unique_domain(domain, kind):
            session.flush()
        _log_change("custom_domain.updated", custom_domain)
        return custom_domain

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        kind: ServiceType,
        service_id: uuid.UUID,
        custom_domain_id: uuid.UUID,
    ) -> None:
        service, _ = self._service(
            session, principal, kind, service_id, Permission.WRITE
        )
        custom_domain = self._own(session, kind, service, custom_domain_id)

        session.delete(custom_domain)
        session.flush()
        _log_change("custom_domain.deleted", custom_domain)

    def _service(
        self,
        session: Session,
        principal: Principal,
        kind: ServiceType,
        service_id: uuid.UUID,
        permission: Permission,
    ) -> tuple[Service, uuid.UUID]:
        """The service of that kind: another kind's id names nothing here."""
        resource = kind.lower()
        row = repository.get_service(session, service_id, kind=kind.value)
        if row is None:
            raise NotFound.resource(resource, service_id)
        service, organization_id = row
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=(resource, service_id),
        )
        return service, organization_id

    def _own(
        self,
        session: Session,
        kind: ServiceType,
        service: Service,
        custom_domain_id: uuid.UUID,
    ) -> CustomDomain:
        custom_domain = repository.get_by_id(session, custom_domain_id)
        if custom_domain is None or custom_domain.service_id != service.id:
            raise NotFound(
                f"custom domain {custom_domain_id} does not exist on this "
                f"{kind.lower()}"
            )
        return custom_domain


def _checked_domain(domain: str) -> str:
    """A host name the service can answer on: letters, digits and hyphens in
    dot-separated labels, a wildcard allowed as the whole first label."""
    if not domain:
        raise _invalid_domain("give a host name, for example app.example.com")
    if not domain.isascii():
        raise _invalid_domain(
            "write an internationalized domain in its ASCII form, the labels "
            "starting with xn--"
        )
    if any(mark in domain for mark in ("://", "/", ":", " ")):
        raise _invalid_domain(
            "give the host name only, without scheme, port, path or spaces, for "
            "example app.example.com"
        )
    if domain.endswith("."):
        raise _invalid_domain("leave out the trailing dot")
    if len(domain) > DOMAIN_MAX_LENGTH:
        raise _invalid_domain(
            f"a domain has at most {DOMAIN_MAX_LENGTH} characters; shorten this one"
        )
    labels = domain.split(".")
    if len(labels) < 2:
        raise _invalid_domain(
            "a custom domain has at least two labels, for example example.com"
        )
    if labels[0] == _WILDCARD:
        labels = labels[1:]
    for label in labels:
        _check_label(label)
    if labels[-1].isdigit():
        raise _invalid_domain(
            "the last label is all digits, as in an IP address: give a domain name"
        )
    return domain


def _check_label(label: str) -> None:
    if _WILDCARD in label:
        raise _invalid_domain(
            "a wildcard can only be the whole first label, as in *.example.com"
        )
    if not _LABEL.fullmatch(label):
        raise _invalid_domain(
            f"'{label}' is not a valid label: each part between dots has 1 to 63 "
            "letters, digits or hyphens, and neither starts nor ends with a hyphen"
        )


def _invalid_domain(message: str) -> InvalidInput:
    return InvalidInput.field(("body", "domain"), message)


def _check_free(
    session: Session,
    organization_id: uuid.UUID,
    domain: str,
    *,
    service: Service,
    other_than: CustomDomain | None = None,
) -> None:
    """Two services cannot answer on one domain, and one lists it once. The
    check stops at the organization: looking further would tell its members
    which domains other organizations use."""
    holder = repository.get_holder(
        session,
        organization_id,
        domain,
        other_than=other_than.id if other_than else None,
    )
    if holder is None:
        return
    held_by, environment = holder
    if held_by.id == service.id:
        raise _domain_taken(domain, held_by.kind)
    raise _invalid_domain(
        f"{domain} is already a custom domain of the {held_by.kind.lower()} "
        f"{held_by.name} in the environment {environment.name}, and one domain "
        "leads to one service: remove it there first, or choose another domain"
    )


def _domain_taken(domain: str, kind: str) -> InvalidInput:
    # The document lists no 409 for these operations: a taken domain is invalid
    # input like any other.
    return _invalid_domain(
        f"{domain} is already a custom domain of this {kind.lower()}, whatever "
        "its case; edit that one instead"
    )


@contextmanager
def _unique_domain(domain: str, kind: ServiceType) -> Iterator[None]:
    """A concurrent request may have added the domain to this service after
    the check above looked."""
    try:
        yield
    except IntegrityError as error:
        if violates(error, "uq_custom_domains_service_id_domain"):
            raise _domain_taken(domain, kind) from error
        raise


def _log_change(event: str, custom_domain: CustomDomain) -> None:
    log.info(
        event,
        custom_domain_id=str(custom_domain.id),
        service_id=str(custom_domain.service_id),
        domain=custom_domain.domain,
    )


custom_domain_service = CustomDomainService()
