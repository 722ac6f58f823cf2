"""Where the database key lives: the OS keyring, or a key file the user named.

The key is 32 random bytes, used as a raw SQLCipher key (no passphrase derivation, so opening is instant).
A machine without a keyring backend never gets a silent plaintext database: ``init`` refuses until the
user names a key file (``--key-file`` or ``CLINIC_KEY_FILE``), which is created readable by its owner only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from clinic_app.errors import KeyringUnavailable, StoreKeyError

KEYRING_SERVICE = "village-clinic"
KEY_FILE_ENV = "CLINIC_KEY_FILE"
KEY_BYTES = 32


def _keyring_username(db_path: Path) -> str:
    return f"db:{db_path.resolve()}"


def keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except Exception:
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    # The chainer backend with nothing behind it is as good as none.
    return getattr(backend, "priority", 1) > 0


def resolve_key_file(key_file: str | os.PathLike[str] | None) -> Path | None:
    if key_file:
        return Path(key_file)
    env = os.environ.get(KEY_FILE_ENV)
    return Path(env) if env else None


def _parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise StoreKeyError(
            f"the key in {where} is not a Village Clinic key (64 hex digits expected)"
        ) from None
    if len(key) != KEY_BYTES:
        raise StoreKeyError(f"the key in {where} has {len(key)} bytes, {KEY_BYTES} expected")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Create ``path`` holding ``key``; owner-only permissions; never overwrites."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StoreKeyError(
            f"key file {path} exists already; name a new file (an old key is never overwritten)"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def create_key(db_path: Path, key_file: str | os.PathLike[str] | None = None) -> tuple[bytes, str]:
    """Make a new random key and store it. Returns the key and a description of where it went."""
    key = secrets.token_bytes(KEY_BYTES)
    path = resolve_key_file(key_file)
    if path is not None:
        write_key_file(path, key)
        return key, f"key file {path}"
    if not keyring_usable():
        raise KeyringUnavailable(
            "this machine has no OS keyring to keep the database key in; name a key file with "
            f"--key-file PATH (or set {KEY_FILE_ENV}); it is created readable by you only, keep it safe "
            "and back it up separately from the database"
        )
    import keyring

    keyring.set_password(KEYRING_SERVICE, _keyring_username(db_path), key.hex())
    return key, "the OS keyring"


def load_key(db_path: Path, key_file: str | os.PathLike[str] | None = None) -> bytes:
    path = resolve_key_file(key_file)
    if path is not None:
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            raise StoreKeyError(f"key file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreKeyError(f"key file {path} cannot be read: {exc}") from None
        return _parse_key(text, f"key file {path}")
    if keyring_usable():
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, _keyring_username(db_path))
        if stored:
            return _parse_key(stored, "the OS keyring")
        raise StoreKeyError(
            f"the OS keyring holds no key for {db_path}; if the key is in a file, name it with --key-file "
            f"or {KEY_FILE_ENV}"
        )
    raise StoreKeyError(
        f"no key for {db_path}: this machine has no OS keyring, so name the key file with --key-file or "
        f"{KEY_FILE_ENV}"
    )


def forget_key(db_path: Path) -> None:
    """Drop the keyring's key of a database that was never finished (a failed enrollment removes its file)."""
    if not keyring_usable():
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, _keyring_username(db_path))


# -- the key check value: a wrong key told apart from a damaged first page ---------------------------------
# SQLCipher cannot tell them apart: either way page 1 fails its HMAC. So `init` leaves beside the database a
# value derived from its key (an HMAC of a fixed text: it gives away nothing of the key) in ``<db>.keycheck``;
# a key that matches it is the right one, so a page 1 that does not open is damage. A database made before
# this file existed gets it at its first good opening.
KEY_CHECK_SUFFIX = ".keycheck"
_KEY_CHECK_TEXT = b"village-clinic key check v1"


def key_check_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + KEY_CHECK_SUFFIX)


def key_check_value(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK_TEXT, hashlib.sha256).hexdigest()[:32]


def write_key_check(db_path: Path, key: bytes) -> None:
    """Leave the key check value beside the database (owner-only; a failure to write it is not an error:
    it only makes a later diagnosis less sure)."""
    path = key_check_path(db_path)
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key_check_value(key) + "\n")


def key_matches(db_path: Path, key: bytes) -> bool | None:
    """Whether ``key`` is the one the database was made with; None when no key check value is stored."""
    try:
        stored = key_check_path(db_path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not stored:
        return None
    return hmac.compare_digest(stored, key_check_value(key))
