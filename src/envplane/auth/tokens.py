"""Bearer JWTs: the ones envplane signs itself and, when configured, those of an
external OpenID Connect issuer, checked against its published JWKS."""

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cachetools import TLRUCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.types import Options

from envplane.core.config import Settings
from envplane.core.errors import IdentityProviderUnavailable, NotAuthenticated

API_TOKEN_PREFIX = "qov_"
OWN_ALGORITHMS = ["EdDSA"]
OIDC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]


@dataclass(frozen=True)
class Identity:
    """Who a verified JWT says the caller is."""

    issuer: str
    subject: str
    email: str | None
    name: str | None
    # When the token stops being valid, in seconds since the epoch.
    expires_at: float


class VerifiedTokens:
    """Tokens already verified, with what they said, kept until the token
    expires but no longer than ``trust_seconds``: the time a verifying key is
    trusted without fetching the issuer's key set again, so that a key the
    issuer withdrew stops vouching for its tokens here as it does in the
    key-set cache. Shared by a process's threads; the least recently used
    tokens make room for new ones."""

    def __init__(self, *, trust_seconds: float, capacity: int = 10_000):
        self._trust_seconds = trust_seconds
        self._identities: TLRUCache[str, Identity] = TLRUCache(
            capacity, self._expiry, timer=time.monotonic
        )
        self._lock = threading.Lock()

    def get(self, token: str) -> Identity | None:
        with self._lock:
            return self._identities.get(token)

    def remember(self, token: str, identity: Identity) -> None:
        with self._lock:
            self._identities[token] = identity

    def _expiry(self, _token: str, identity: Identity, now: float) -> float:
        valid_for = identity.expires_at - time.time()
        return now + min(valid_for, self._trust_seconds)


class JwtAuthority:
    def __init__(self, settings: Settings, signing_key: Ed25519PrivateKey):
        self._settings = settings
        self._signing_key = signing_key
        self._verified = VerifiedTokens(trust_seconds=settings.OIDC_JWKS_CACHE_SECONDS)
        self._jwks: jwt.PyJWKClient | None = None
        if settings.OIDC_ISSUER:
            # Only the key set is cached, for a limited time: PyJWT's per-key cache
            # never expires, so a key the issuer withdrew would stay trusted.
            self._jwks = jwt.PyJWKClient(
                settings.OIDC_JWKS_URL,
                lifespan=settings.OIDC_JWKS_CACHE_SECONDS,
                timeout=10,
            )

    def issue(self, *, subject: uuid.UUID, email: str) -> str:
        now = datetime.now(UTC)
        claims = {
            "iss": self._settings.JWT_ISSUER,
            "aud": self._settings.JWT_AUDIENCE,
            "sub": str(subject),
            "email": email,
            "iat": now,
            "exp": now + timedelta(seconds=self._settings.JWT_TTL_SECONDS),
        }
        return jwt.encode(claims, self._signing_key, algorithm="EdDSA")

    def recall(self, token: str) -> Identity | None:
        """What ``token`` said when it was last verified, while that still
        holds. Touches neither the network nor a key: safe on the event loop."""
        return self._verified.get(token)

    def verify(self, token: str) -> Identity:
        identity = self._verified.get(token)
        if identity is None:
            identity = self._verify(token)
            self._verified.remember(token, identity)
        return identity

    def _verify(self, token: str) -> Identity:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            claims = self._verify_for(issuer, token)
        except jwt.PyJWKClientConnectionError as error:
            # The token may well be good: say so rather than call it invalid.
            raise IdentityProviderUnavailable(
                "the identity provider's signing keys could not be fetched; "
                "try again shortly"
            ) from error
        except jwt.PyJWTError as error:
            raise NotAuthenticated(f"bearer token rejected: {error}") from error
        return Identity(
            issuer=claims["iss"],
            subject=str(claims["sub"]),
            email=claims.get("email"),
            name=claims.get("name"),
            expires_at=float(claims["exp"]),
        )

    def _verify_for(self, issuer: object, token: str) -> dict[str, Any]:
        options: Options = {"require": ["exp", "iss", "aud", "sub"]}
        if issuer == self._settings.JWT_ISSUER:
            return jwt.decode(
                token,
                self._signing_key.public_key(),
                algorithms=OWN_ALGORITHMS,
                audience=self._settings.JWT_AUDIENCE,
                issuer=self._settings.JWT_ISSUER,
                options=options,
            )
        if self._jwks is not None and issuer == self._settings.OIDC_ISSUER:
            # Verifying with the JWK itself binds the algorithm to the key: a token
            # naming an algorithm of another family is refused, not a crash.
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            return jwt.decode(
                token,
                signing_key,
                algorithms=OIDC_ALGORITHMS,
                audience=self._settings.OIDC_AUDIENCE,
                issuer=self._settings.OIDC_ISSUER,
                options=options,
            )
        raise jwt.InvalidIssuerError(f"issuer {issuer!r} is not trusted here")


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_api_token(token: str) -> str:
    """API tokens carry 256 random bits, so a plain SHA-256 is a safe digest."""
    return hashlib.sha256(token.encode()).hexdigest()
