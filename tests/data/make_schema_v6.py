"""Made tests/data/schema_v6.db once, with the code of commit 610731e (schema 6, the last commit before issue 10)
and the key changed to schema_v1.key (a test key). Kept for the upgrade test; do not re-run: the point of the file
is that the old program wrote it. It was made with

    git worktree add /tmp/old6 610731e
    cp tests/data/make_synced_device.py tests/data/make_schema_v6.py /tmp/old6/tests/data/
    (cd /tmp/old6 && python tests/data/make_schema_v6.py /path/to/tests/data/schema_v6.db)

(make_synced_device.py tells what the database holds)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synced_device import build

if __name__ == "__main__":
    build(6, Path(sys.argv[1]))
