"""Numbered schema migrations. ``MIGRATIONS[n]`` takes a database from ``user_version`` n to n + 1.

A released migration is never edited: a change is a new migration, and tests/test_migrations.py upgrades
a database frozen at every earlier version (tests/data/schema_v<N>.db).
"""

from __future__ import annotations

from collections.abc import Callable

from clinic_app.db import Connection
from clinic_app.migrations import (
    m001_register,
    m002_search_keys,
    m003_sync_outbox,
    m004_synced_conflicts,
    m005_sync_runs,
    m006_contracts,
    m007_set_aside,
    m008_chronic_care,
    m009_chronic_contact,
    m010_drug_catalog,
    m011_prescriptions,
    m012_visits,
    m013_capitation_claims,
    m014_box_indexes,
)

MIGRATIONS: list[Callable[[Connection], None]] = [
    m001_register.upgrade,
    m002_search_keys.upgrade,
    m003_sync_outbox.upgrade,
    m004_synced_conflicts.upgrade,
    m005_sync_runs.upgrade,
    m006_contracts.upgrade,
    m007_set_aside.upgrade,
    m008_chronic_care.upgrade,
    m009_chronic_contact.upgrade,
    m010_drug_catalog.upgrade,
    m011_prescriptions.upgrade,
    m012_visits.upgrade,
    m013_capitation_claims.upgrade,
    m014_box_indexes.upgrade,
]
SCHEMA_VERSION = len(MIGRATIONS)
