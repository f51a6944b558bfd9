"""The roles a member or an API token holds in an organization, and what each may do."""

import uuid
from enum import IntEnum, StrEnum

_ROLE_NAMESPACE = uuid.UUID("6f1c2b52-3c1e-4c36-9a57-5d1d1f6f8f11")


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    DEVELOPER = "DEVELOPER"
    VIEWER = "VIEWER"

    @property
    def id(self) -> uuid.UUID:
        """Role ids are the same in every organization."""
        return uuid.uuid5(_ROLE_NAMESPACE, self.value)

    @classmethod
    def from_id(cls, role_id: uuid.UUID) -> "Role | None":
        return next((role for role in cls if role.id == role_id), None)

    @property
    def rank(self) -> int:
        return {"VIEWER": 0, "DEVELOPER": 1, "ADMIN": 2, "OWNER": 3}[self.value]


class Permission(IntEnum):
    """What an action needs, as the lowest role that may perform it."""

    READ = 0  # VIEWER: see everything in the organization
    WRITE = 1  # DEVELOPER: environments, clones, variables and secrets
    MANAGE = 2  # ADMIN: organization settings, clusters, projects, API tokens

    def allows(self, role: Role) -> bool:
        return role.rank >= self.value
