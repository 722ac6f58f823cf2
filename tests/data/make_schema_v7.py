"""Made tests/data/schema_v7.db once, with the code of commit 4379716 (schema 7, the last commit before issue 12)
and make_synced_device.py as committed with this file (b829241: it calls the county server's admin, reference and
db functions where the old ``service`` module is gone, and from schema 7 leaves the county's 北村 set aside); the
key is changed to schema_v1.key (a test key). Kept for the upgrade test; do not re-run: the point of the file is
that the old program wrote it. It was made in the chronic worktree at that commit with

    python tests/data/make_schema_v7.py $PWD/tests/data/schema_v7.db

(make_synced_device.py tells what the database holds)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synced_device import build

if __name__ == "__main__":
    build(7, Path(sys.argv[1]))
