import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from envplane.auth.tokens import Identity, VerifiedTokens
from envplane.core.database import create_session_factory, recorded_statements
from envplane.core.keys import load_signing_key
from envplane.models import User
from tests.auth.conftest import KEY_ID, OIDC_AUDIENCE, OIDC_ISSUER, JwksServer
from tests.fixtures.api import Api

SUBJECT = "auth0|5f7c8ec7c33c6c004bbafe82"


def oidc_claims(**overrides: Any) -> dict[str, Any]:
    """Claims of a good token from the loopback issuer; None drops a claim."""
    now = datetime.now(UTC)
    claims = {
        "iss": OIDC_ISSUER,
        "aud": OIDC_AUDIENCE,
        "sub": SUBJECT,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **overrides,
    }
    return {name: value for name, value in claims.items() if value is not None}


def oidc_token(key: rsa.RSAPrivateKey, *, kid: str = KEY_ID, **claims: Any) -> str:
    return jwt.encode(
        oidc_claims(**claims), key, algorithm="RS256", headers={"kid": kid}
    )


def own_claims(app: FastAPI, **overrides: Any) -> dict[str, Any]:
    settings = app.state.settings
    now = datetime.now(UTC)
    return {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": "9d2f3f0e-4c39-4a43-9b4e-3f4f0f1b6a10",
        "email": "grace@example.com",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **overrides,
    }


def own_token(app: FastAPI, **overrides: Any) -> str:
    key = load_signing_key(app.state.settings)
    return jwt.encode(own_claims(app, **overrides), key, algorithm="EdDSA")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    """A token built without PyJWT, for shapes PyJWT refuses to produce."""
    return f"{segment(header)}.{segment(claims)}.{b64url(signature)}"


def segment(part: dict[str, Any]) -> str:
    return b64url(json.dumps(part, default=_seconds).encode())


def _seconds(value: datetime) -> int:
    return int(value.timestamp())


def get_organizations(client: TestClient, token: str) -> httpx2.Response:
    return client.get("/organization", headers={"Authorization": f"Bearer {token}"})


def assert_refused(response: httpx2.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["message"]
    assert isinstance(message, str) and message


def users_with_subject(app: FastAPI, subject: str) -> list[User]:
    with create_session_factory(app.state.engine)() as session:
        query = select(User).where(User.issuer == OIDC_ISSUER, User.subject == subject)
        return list(session.scalars(query))


class TestOidcToken:
    def test_valid(
        self, oidc_client: TestClient, oidc_app: FastAPI, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        response = get_organizations(oidc_client, oidc_token(rsa_key))

        assert response.status_code == 200, response.text
        assert response.json() == {"results": []}
        [user] = users_with_subject(oidc_app, SUBJECT)
        assert (user.email, user.name) == ("ada@example.com", "Ada Lovelace")

    def test_same_subject_same_user(
        self, oidc_client: TestClient, oidc_app: FastAPI, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        first = oidc_token(rsa_key)
        body = {"name": "analytical-engines", "plan": "FREE"}
        headers = {"Authorization": f"Bearer {first}"}
        created = oidc_client.post("/organization", json=body, headers=headers)
        assert created.status_code == 201, created.text

        later = datetime.now(UTC) + timedelta(minutes=10)
        second = oidc_token(rsa_key, email="ada@lovelace.example", exp=later)
        assert second != first
        response = get_organizations(oidc_client, second)

        assert response.status_code == 200, response.text
        assert [o["id"] for o in response.json()["results"]] == [created.json()["id"]]
        assert len(users_with_subject(oidc_app, SUBJECT)) == 1

    def test_known_user_without_email(
        self, oidc_client: TestClient, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        assert get_organizations(oidc_client, oidc_token(rsa_key)).status_code == 200

        response = get_organizations(oidc_client, oidc_token(rsa_key, email=None))

        assert response.status_code == 200, response.text

    def test_missing_email_on_first_sight(
        self, oidc_client: TestClient, oidc_app: FastAPI, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        response = get_organizations(oidc_client, oidc_token(rsa_key, email=None))

        assert_refused(response)
        assert "email" in response.json()["message"]
        assert users_with_subject(oidc_app, SUBJECT) == []

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param(
                {"exp": datetime.now(UTC) - timedelta(minutes=1)}, id="expired"
            ),
            pytest.param({"aud": "another-api"}, id="wrong-audience"),
            pytest.param({"iss": "https://login.other.test/"}, id="wrong-issuer"),
            pytest.param({"exp": None}, id="no-expiry"),
            pytest.param({"sub": None}, id="no-subject"),
            pytest.param({"aud": None}, id="no-audience"),
            pytest.param(
                {"nbf": datetime.now(UTC) + timedelta(hours=1)}, id="not-yet-valid"
            ),
        ],
    )
    def test_refused_claims(
        self,
        oidc_client: TestClient,
        oidc_app: FastAPI,
        rsa_key: rsa.RSAPrivateKey,
        claims: dict[str, Any],
    ) -> None:
        response = get_organizations(oidc_client, oidc_token(rsa_key, **claims))

        assert_refused(response)
        assert users_with_subject(oidc_app, SUBJECT) == []

    def test_bad_signature(
        self, oidc_client: TestClient, other_rsa_key: rsa.RSAPrivateKey
    ) -> None:
        forged = oidc_token(other_rsa_key, kid=KEY_ID)
        assert_refused(get_organizations(oidc_client, forged))

    def test_unknown_key_id(
        self, oidc_client: TestClient, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        token = oidc_token(rsa_key, kid="signing-key-unknown")
        assert_refused(get_organizations(oidc_client, token))

    def test_alg_none(self, oidc_client: TestClient) -> None:
        token = hand_made(
            {"alg": "none", "typ": "JWT", "kid": KEY_ID}, oidc_claims(), b""
        )
        assert_refused(get_organizations(oidc_client, token))

    def test_algorithm_of_another_family(self, oidc_client: TestClient) -> None:
        """The token names an elliptic-curve algorithm while its kid points at the
        issuer's RSA key: anyone can make such a token, so it must be a 401."""
        key = ec.generate_private_key(ec.SECP256R1())
        token = jwt.encode(
            oidc_claims(), key, algorithm="ES256", headers={"kid": KEY_ID}
        )
        assert_refused(get_organizations(oidc_client, token))

    def test_hmac_keyed_with_public_key(
        self, oidc_client: TestClient, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        public_pem = rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        unsigned = hand_made({"alg": "HS256", "kid": KEY_ID}, oidc_claims(), b"")
        signing_input = unsigned.rsplit(".", 1)[0]
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{b64url(mac)}"

        assert_refused(get_organizations(oidc_client, token))


class TestKnownUsers:
    def test_known_identity_is_not_looked_up_again(
        self, oidc_client: TestClient, oidc_app: FastAPI, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        token = oidc_token(rsa_key)
        assert get_organizations(oidc_client, token).status_code == 200
        assert get_organizations(oidc_client, token).status_code == 200

        with recorded_statements(oidc_app.state.engine) as statements:
            response = get_organizations(oidc_client, token)

        assert response.status_code == 200, response.text
        assert not [s for s in statements if "FROM users" in s], statements

    def test_user_of_a_rolled_back_request_is_not_remembered(
        self, oidc_client: TestClient, oidc_app: FastAPI, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        token = oidc_token(rsa_key)
        headers = {"Authorization": f"Bearer {token}"}
        refused = oidc_client.post(
            "/organization", json={"name": "x", "plan": "NO-SUCH-PLAN"}, headers=headers
        )
        assert refused.status_code == 400, refused.text
        assert users_with_subject(oidc_app, SUBJECT) == []

        response = get_organizations(oidc_client, token)

        assert response.status_code == 200, response.text
        assert len(users_with_subject(oidc_app, SUBJECT)) == 1


class TestJwksCache:
    def test_fetched_once(
        self,
        oidc_client: TestClient,
        jwks: JwksServer,
        rsa_key: rsa.RSAPrivateKey,
        other_rsa_key: rsa.RSAPrivateKey,
    ) -> None:
        for index in range(3):
            token = oidc_token(rsa_key, sub=f"user-{index}")
            assert get_organizations(oidc_client, token).status_code == 200
        assert_refused(get_organizations(oidc_client, oidc_token(other_rsa_key)))
        assert_refused(get_organizations(oidc_client, oidc_token(rsa_key, aud="x")))

        assert jwks.fetches == 1

    def test_withdrawn_key_stops_working(
        self,
        make_oidc_app: Callable[..., FastAPI],
        jwks: JwksServer,
        rsa_key: rsa.RSAPrivateKey,
        other_rsa_key: rsa.RSAPrivateKey,
    ) -> None:
        """Once the cached key set expires, a key the issuer no longer publishes is
        no longer trusted."""
        app = make_oidc_app(OIDC_JWKS_CACHE_SECONDS=1)
        token = oidc_token(rsa_key)
        with TestClient(app) as client:
            assert get_organizations(client, token).status_code == 200
            jwks.keys.clear()
            jwks.publish(other_rsa_key, kid="signing-key-2")
            assert get_organizations(client, token).status_code == 200

            time.sleep(1.2)
            assert_refused(get_organizations(client, token))

        assert jwks.fetches == 2

    def test_unreachable(
        self,
        make_oidc_app: Callable[..., FastAPI],
        jwks: JwksServer,
        rsa_key: rsa.RSAPrivateKey,
    ) -> None:
        """An identity provider that cannot be reached is a 503 saying so, not a
        verdict on the token."""
        app = make_oidc_app()
        jwks.stop()
        with TestClient(app) as client:
            response = get_organizations(client, oidc_token(rsa_key))

        assert response.status_code == 503, response.text
        assert "try again" in response.json()["message"]


class TestOwnToken:
    def test_valid(self, api: Api, client: TestClient) -> None:
        token = api.user_token("grace@example.com")

        response = get_organizations(client, token)

        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param(
                {
                    "iat": datetime.now(UTC) - timedelta(hours=2),
                    "exp": datetime.now(UTC) - timedelta(hours=1),
                },
                id="expired",
            ),
            pytest.param({"aud": "another-api"}, id="wrong-audience"),
        ],
    )
    def test_refused_claims(
        self, client: TestClient, app: FastAPI, claims: dict[str, Any]
    ) -> None:
        assert_refused(get_organizations(client, own_token(app, **claims)))

    def test_tampered_signature(self, api: Api, client: TestClient) -> None:
        token = api.user_token("grace@example.com")
        signing_input, signature = token.rsplit(".", 1)
        flipped = "A" if signature[10] != "A" else "B"
        tampered = f"{signing_input}.{signature[:10]}{flipped}{signature[11:]}"

        assert_refused(get_organizations(client, tampered))

    def test_tampered_claims(self, api: Api, client: TestClient) -> None:
        header, _, signature = api.user_token("grace@example.com").split(".")
        claims = own_claims(api.app, email="mallory@example.com")
        tampered = f"{header}.{segment(claims)}.{signature}"

        assert_refused(get_organizations(client, tampered))

    def test_signed_by_another_key(self, client: TestClient, app: FastAPI) -> None:
        key = ed25519.Ed25519PrivateKey.generate()
        token = jwt.encode(own_claims(app), key, algorithm="EdDSA")

        assert_refused(get_organizations(client, token))

    def test_alg_none(self, client: TestClient, app: FastAPI) -> None:
        token = hand_made({"alg": "none", "typ": "JWT"}, own_claims(app), b"")
        assert_refused(get_organizations(client, token))


class TestAuthorizationHeader:
    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("{token}", id="no-scheme"),
            pytest.param("Basic Z3JhY2U6c2VjcmV0", id="unknown-scheme"),
            pytest.param("JWT {token}", id="unknown-scheme-with-jwt"),
            pytest.param("Bearer", id="bearer-without-token"),
            pytest.param("Bearer ", id="bearer-empty-token"),
            pytest.param("Token ", id="token-empty"),
            pytest.param("Bearer not-a-jwt", id="bearer-garbage"),
            pytest.param("Bearer {token} {token}", id="bearer-two-tokens"),
        ],
    )
    def test_malformed(self, api: Api, client: TestClient, value: str) -> None:
        token = api.user_token("grace@example.com")
        headers = {"Authorization": value.format(token=token)}

        assert_refused(client.get("/organization", headers=headers))

    def test_missing(self, client: TestClient) -> None:
        assert_refused(client.get("/organization"))


class TestVerifiedTokens:
    @staticmethod
    def identity(expires_in: float) -> Identity:
        return Identity(
            issuer="https://issuer.example",
            subject="someone",
            email=None,
            name=None,
            expires_at=time.time() + expires_in,
        )

    def test_kept_until_the_token_expires(self) -> None:
        tokens = VerifiedTokens(trust_seconds=60)
        tokens.remember("t", self.identity(expires_in=0.3))
        assert tokens.get("t") is not None

        time.sleep(0.4)
        assert tokens.get("t") is None

    def test_kept_no_longer_than_its_key_is_trusted(self) -> None:
        tokens = VerifiedTokens(trust_seconds=0.3)
        tokens.remember("t", self.identity(expires_in=3600))
        assert tokens.get("t") is not None

        time.sleep(0.4)
        assert tokens.get("t") is None

    def test_an_expired_token_is_not_kept(self) -> None:
        tokens = VerifiedTokens(trust_seconds=60)
        tokens.remember("t", self.identity(expires_in=-1))
        assert tokens.get("t") is None

    def test_recalled_once_verified(
        self, api: Api, client: TestClient, app: FastAPI
    ) -> None:
        token = api.user_token("grace@example.com")
        assert app.state.jwt.recall(token) is None

        assert get_organizations(client, token).status_code == 200

        recalled = app.state.jwt.recall(token)
        assert recalled is not None and recalled.email == "grace@example.com"

    def test_refused_tokens_are_not_recalled(
        self, client: TestClient, app: FastAPI
    ) -> None:
        token = own_token(app, aud="another-api")
        assert_refused(get_organizations(client, token))
        assert app.state.jwt.recall(token) is None

    def test_the_least_recently_used_make_room(self) -> None:
        tokens = VerifiedTokens(trust_seconds=60, capacity=2)
        for token in ("a", "b", "c"):
            tokens.remember(token, self.identity(expires_in=60))
        assert [tokens.get(token) is not None for token in "abc"] == [
            False,
            True,
            True,
        ]
