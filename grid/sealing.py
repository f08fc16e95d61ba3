"""Sealing sensitive values (ID numbers) at rest: AES-256-GCM for the value and
a keyed HMAC "blind index" so equal values can be found and kept unique
without decrypting anything. Pure: the caller passes the master key.

Both subkeys are derived from one master key with HKDF, so one secret
(GRID_DATA_KEY) is all an operator has to keep and back up."""
import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


def decode_master_key(text: str) -> bytes:
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise ValueError("the data key must be 32 bytes, base64-encoded")
    return key


def new_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=16)
def derive(master: bytes, purpose: bytes) -> bytes:
    # Cached: imports seal tens of thousands of values with the same key.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"grid:" + purpose).derive(master)


def seal(value: str, master: bytes) -> bytes:
    """nonce + ciphertext; a fresh random nonce each time."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(derive(master, b"seal")).encrypt(nonce, value.encode(), None)


def unseal(sealed: bytes, master: bytes) -> str:
    sealed = bytes(sealed)
    return AESGCM(derive(master, b"seal")).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None).decode()


def blind_index(value: str, master: bytes) -> str:
    """Deterministic, keyed: the same normalised value always gives the same index."""
    return hmac.new(derive(master, b"index"), value.encode(), hashlib.sha256).hexdigest()
