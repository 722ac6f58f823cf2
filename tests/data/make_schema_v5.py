"""Made tests/data/schema_v5.db once, with the code of commit f681b28 (schema 5; the last commit before schema 6)
and the key changed to schema_v1.key (a test key). Kept for the upgrade test; do not re-run: the point of the file
is that the old program wrote it. (Schema 5 as first committed, 31d37bc, lacked the index outbox_refused that
f681b28 added to the same migration: a database made in between never gets it.) It was made with

    git worktree add /tmp/old5 f681b28
    cp tests/data/make_synced_device.py tests/data/make_schema_v5.py /tmp/old5/tests/data/
    (cd /tmp/old5 && python tests/data/make_schema_v5.py /path/to/tests/data/schema_v5.db)

(make_synced_device.py tells what the database holds)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synced_device import build

if __name__ == "__main__":
    build(5, Path(sys.argv[1]))
