from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- hashes that arrive by sync (issue 11, break 6) --------------------------------------------------------
def _pull_user_hash(clinic: Clinic, password_hash: str) -> None:
    from clinic_app.syncstate import apply_pull_pages

    row = dict(clinic.store.conn.execute('SELECT * FROM "user" WHERE username = ?', ("admin",)).fetchone())
    row["password_hash"] = password_hash
    with clinic.store.transaction() as conn:
        conn.execute("DELETE FROM outbox")  # the admin's account was sent: the county's version is pulled
    change = {"table": "user", "row_id": row["id"], "op": "upsert", "version": 5, "row": row}
    apply_pull_pages(clinic.store, [([change], "c1")])


MALFORMED = [
    "scrypt$abc$8$1$c2FsdHNhbHQ=$ZGlnZXN0",  # N not a number
    "scrypt$32768$8$1$!!!not-base64$ZGlnZXN0",  # salt not base64
    "scrypt$32768$8$1$c2FsdHNhbHRzYWx0$c2hvcnQ=",  # a digest of 5 bytes
    "scrypt$32767$8$1$c2FsdHNhbHRzYWx0$" + "A" * 43 + "=",  # N not a power of two
    "scrypt$32768$8",  # cut off
]


@pytest.mark.parametrize("stored", MALFORMED)
def test_a_malformed_hash_from_sync_says_the_password_must_be_set_again_and_counts_no_failure(
    clinic: Clinic, stored: str
) -> None:
    _pull_user_hash(clinic, stored)
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", ADMIN_PASSWORD)
    assert err.value.rule == "password_unusable"
    assert "must be set again" in str(err.value) and "admin" in str(err.value)
    assert clinic.store.conn.execute("SELECT count(*) FROM login_state").fetchone()[0] == 0


@pytest.mark.parametrize("params", ["1048576$8$1", "32768$8$1000000", "32768$1000$1", "65536$16$4", "16$1$1"])
def test_a_hash_with_parameters_out_of_bounds_is_refused_before_any_scrypt_work(
    clinic: Clinic, params: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    calls: list[object] = []
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: calls.append(k) or b"")
    stored = f"scrypt${params}$c2FsdHNhbHRzYWx0$" + "A" * 43 + "="
    with pytest.raises(ValidationError) as bad:
        users.parse_password_hash(stored)
    assert (bad.value.field, bad.value.rule) == ("password_hash", "out_of_range")
    _pull_user_hash(clinic, stored)
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", ADMIN_PASSWORD)
    assert err.value.rule == "password_unusable" and calls == []


def test_every_hash_this_program_makes_is_within_the_bounds_it_accepts() -> None:
    stored = users.hash_password("correct horse")
    assert users.validate_password_hash(stored) == stored
    assert users.parse_password_hash(stored).n == users.SCRYPT_N


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=120),
        st.builds(lambda parts: "scrypt$" + "$".join(parts), st.lists(st.text(max_size=30), max_size=7)),
    )
)
def test_any_text_as_a_hash_is_judged_without_an_error_other_than_a_validation_error(stored: str) -> None:
    try:
        users.parse_password_hash(stored)
    except ValidationError as exc:
        assert exc.field == "password_hash" and exc.rule in ("format", "out_of_range")


def test_a_locked_account_says_for_how_long_from_the_setting(clinic: Clinic) -> None:
    with clinic.store.unit(clinic.admin.id, "setting.set") as uow:
        set_setting(uow.conn, "lockout_seconds", 600)
    for _ in range(5):
        with pytest.raises(AuthError):
            users.authenticate(clinic.store, "admin", "wrong")
    with pytest.raises(AuthError) as err:
        users.authenticate(clinic.store, "admin", ADMIN_PASSWORD)
    assert err.value.rule == "locked" and err.value.details == {"lock_minutes": "10", "minutes_left": "10"}
    assert "locked for 10 min" in str(err.value) and "try again in 10 min" in str(err.value)
