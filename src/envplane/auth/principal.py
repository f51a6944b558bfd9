import uuid
from dataclasses import dataclass

from envplane.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    """The caller of a request: a user, or an organization API token.

    A token acts inside its own organization only, with the token's role, on
    behalf of the user who created it.
    """

    user_id: uuid.UUID
    token_organization_id: uuid.UUID | None = None
    token_role: Role | None = None

    @property
    def is_token(self) -> bool:
        return self.token_organization_id is not None
