from __future__ import annotations

import pytest

from clinic_app import users
from clinic_app.errors import AuthError, ValidationError
from clinic_app.settings import set_setting
from tests.conftest import ADMIN_PASSWORD, Clinic


def test_password_hash_is_memory_hard_scrypt_and_salted() -> None:
    a, b = users.hash_password("correct horse"), users.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$32768$8$")
    assert users.verify_password("correct horse", a)
    assert not users.verify_password("correct hors", a)


def test_sign_in(clinic: Clinic) -> None:
    assert users.authenticate(clinic.store, "admin", ADMIN_PASSWORD).role == "clinic_admin"
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", "wrong")
    assert err.value.rule == "bad_credentials"
    with pytest.raises(AuthError):
        users.authenticate(clinic.store, "nobody", ADMIN_PASSWORD)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(clinic: Clinic) -> None:
    for _ in range(5):
        with pytest.raises(AuthError) as err:
            users.authenticate(clinic.store, "admin", "wrong")
        assert err.value.rule == "bad_credentials"
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", ADMIN_PASSWORD)
    assert err.value.rule == "locked" and "locked" in str(err.value)


def test_lock_expires_and_a_good_password_resets_the_count(clinic: Clinic) -> None:
    store = clinic.store
    for _ in range(5):
        with pytest.raises(AuthError):
            users.authenticate(store, "admin", "wrong")
    store.conn.execute("UPDATE login_state SET locked_until = '2000-01-01T00:00:00Z'")
    users.authenticate(store, "admin", ADMIN_PASSWORD)
    assert store.conn.execute("SELECT count(*) FROM login_state").fetchone()[0] == 0
    for _ in range(4):
        with pytest.raises(AuthError):
            users.authenticate(store, "admin", "wrong")
    users.authenticate(store, "admin", ADMIN_PASSWORD)  # four were not enough to lock


def test_lockout_threshold_is_a_setting(clinic: Clinic) -> None:
    with clinic.store.unit(clinic.admin.id, "setting.set") as uow:
        set_setting(uow.conn, "lockout_attempts", 2)
    for _ in range(2):
        with pytest.raises(AuthError):
            users.authenticate(clinic.store, "admin", "wrong")
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", ADMIN_PASSWORD)
    assert err.value.rule == "locked"


def test_only_an_admin_adds_users_and_roles_are_checked(clinic: Clinic) -> None:
    doctor = users.add_user(clinic.store, clinic.admin, "doctor", "village_doctor", "doctor-pass")
    with pytest.raises(AuthError):
        users.add_user(clinic.store, doctor, "nurse", "nurse", "nurse-pass")
    with pytest.raises(ValidationError) as err:
        users.add_user(clinic.store, clinic.admin, "x", "surgeon", "password")
    assert err.value.field == "username"
    with pytest.raises(ValidationError) as err:
        users.add_user(clinic.store, clinic.admin, "nurse", "surgeon", "password")
    assert (err.value.field, err.value.rule) == ("role", "unknown_role")
    with pytest.raises(ValidationError) as err:
        users.add_user(clinic.store, clinic.admin, "nurse", "nurse", "short")
    assert (err.value.field, err.value.rule) == ("password", "too_short")
    with pytest.raises(ValidationError) as err:
        users.add_user(clinic.store, clinic.admin, "doctor", "nurse", "nurse-pass")
    assert err.value.rule == "duplicate"


def test_user_rows_sync_with_hashes_only(clinic: Clinic) -> None:
    payloads = [
        r[0] for r in clinic.store.conn.execute("SELECT payload FROM outbox WHERE table_name = 'user'")
    ]
    assert payloads and all(ADMIN_PASSWORD not in p and "scrypt$" in p for p in payloads)
