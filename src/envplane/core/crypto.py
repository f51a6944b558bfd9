"""Encryption of secret values at rest (Fernet: AES-128-CBC with HMAC-SHA256)."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretCipher:
    """Encrypts with the first key and decrypts with any, so keys can be rotated
    by putting a new key first and keeping the old ones after it."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one secret key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken as error:
            raise ValueError(
                "secret was encrypted with a key no longer configured"
            ) from error


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")
