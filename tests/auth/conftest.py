"""An OpenID Connect issuer for the identity tests: RSA keys, a JWKS served over
real HTTP on loopback, and an app configured to trust it."""

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from envplane.app import create_app
from envplane.core.config import Settings
from envplane.models import Base

OIDC_ISSUER = "https://login.example.test/"
OIDC_AUDIENCE = "envplane-api"
KEY_ID = "signing-key-1"
JWKS_PATH = "/.well-known/jwks.json"


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 that counts the fetches it answers."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self._server = HTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{JWKS_PATH}"

    def publish(self, key: rsa.RSAPrivateKey, *, kid: str = KEY_ID) -> None:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        self.keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != JWKS_PATH:
                    self.send_error(404)
                    return
                jwks.fetches += 1
                payload = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output free of access lines."""

        return Handler


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks(rsa_key: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    server = JwksServer()
    server.publish(rsa_key)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_oidc_app(
    tmp_path: Path, database_url: str, engine: Engine, jwks: JwksServer
) -> Iterator[Callable[..., FastAPI]]:
    """Builds an app trusting the loopback issuer, with settings overridable."""

    def make(**overrides: Any) -> FastAPI:
        settings = Settings(
            DATA_DIR=tmp_path / "data",
            DATABASE_URL=database_url,
            OIDC_ISSUER=OIDC_ISSUER,
            OIDC_JWKS_URL=jwks.url,
            OIDC_AUDIENCE=OIDC_AUDIENCE,
            **overrides,
        )
        return create_app(settings, engine=engine)

    yield make
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def oidc_app(make_oidc_app: Callable[..., FastAPI]) -> FastAPI:
    return make_oidc_app()


@pytest.fixture
def oidc_client(oidc_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(oidc_app) as client:
        yield client
