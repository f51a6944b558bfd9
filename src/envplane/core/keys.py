"""Key material for the embedded default: generated into the data directory on
first start, read from there afterwards."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from envplane.core.config import Settings
from envplane.core.crypto import SecretCipher, generate_key


def _read_or_create(path: Path, make: bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as file:
        file.write(make)
    return make


def load_secret_cipher(settings: Settings) -> SecretCipher:
    if settings.SECRET_KEY:
        keys = [key.strip() for key in settings.SECRET_KEY.split(",") if key.strip()]
    else:
        path = settings.DATA_DIR / "secret.key"
        keys = [_read_or_create(path, generate_key().encode()).decode().strip()]
    return SecretCipher(keys)


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    pem = _read_or_create(
        settings.DATA_DIR / "signing-key.pem",
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key in the data directory is not an Ed25519 key")
    return key
