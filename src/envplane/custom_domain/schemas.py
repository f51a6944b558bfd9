from enum import StrEnum

from envplane.core.schemas import BaseRecord, Schema


class CustomDomainStatus(StrEnum):
    """The official ``CustomDomainStatusEnum``."""

    VALIDATION_PENDING = "VALIDATION_PENDING"


class CustomDomainRequest(Schema):
    domain: str
    generate_certificate: bool
    use_cdn: bool | None = None


class CustomDomain(BaseRecord):
    domain: str
    generate_certificate: bool
    use_cdn: bool | None = None
    validation_domain: str | None = None
    status: CustomDomainStatus


class CustomDomainResponseList(Schema):
    results: list[CustomDomain]
