from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from clinic_app import keystore
from clinic_app.errors import KeyringUnavailable, StoreKeyError
from clinic_app.store import Store


class MemoryKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_key_goes_to_the_os_keyring_when_there_is_one(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store, where = Store.initialise(tmp_path / "c.db", "C1", "卫生室")
    store.close()
    assert where == "the OS keyring"
    (service, username), value = next(iter(memory_keyring.items.items()))
    assert service == "village-clinic" and username.endswith("c.db") and len(bytes.fromhex(value)) == 32
    for path in tmp_path.rglob("*"):
        assert value.encode() not in path.read_bytes() and bytes.fromhex(value) not in path.read_bytes()
    Store.open(tmp_path / "c.db").close()


def test_without_a_keyring_init_refuses_until_a_key_file_is_named(tmp_path: Path, no_keyring: None) -> None:
    with pytest.raises(KeyringUnavailable, match="--key-file"):
        Store.initialise(tmp_path / "c.db", "C1", "卫生室")
    assert not (tmp_path / "c.db").exists(), "never a silent plaintext (or any) database"
    store, where = Store.initialise(tmp_path / "c.db", "C1", "卫生室", key_file=tmp_path / "k" / "c.key")
    store.close()
    mode = stat.S_IMODE((tmp_path / "k" / "c.key").stat().st_mode)
    assert mode == 0o600 and "key file" in where


def test_key_file_from_environment(tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_KEY_FILE", str(tmp_path / "env.key"))
    Store.initialise(tmp_path / "c.db", "C1", "卫生室")[0].close()
    assert (tmp_path / "env.key").exists()
    Store.open(tmp_path / "c.db").close()


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "c.key").write_text("precious\n")
    with pytest.raises(StoreKeyError, match="exists already"):
        Store.initialise(tmp_path / "c.db", "C1", "卫生室", key_file=tmp_path / "c.key")
    assert (tmp_path / "c.key").read_text() == "precious\n"


def test_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    Store.initialise(tmp_path / "c.db", "C1", "卫生室", key_file=tmp_path / "c.key")[0].close()
    keystore.write_key_file(tmp_path / "other.key", b"\x01" * 32)
    with pytest.raises(StoreKeyError, match="cannot be opened with this key"):
        Store.open(tmp_path / "c.db", tmp_path / "other.key")
    (tmp_path / "junk.key").write_text("not hex")
    with pytest.raises(StoreKeyError, match="not a Village Clinic key"):
        Store.open(tmp_path / "c.db", tmp_path / "junk.key")
    with pytest.raises(StoreKeyError, match="does not exist"):
        Store.open(tmp_path / "c.db", tmp_path / "missing.key")
