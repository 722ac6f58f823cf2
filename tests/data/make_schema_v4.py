"""Made tests/data/schema_v4.db once, with the code of commit 085e35a (schema 4; the last commit before schema 5)
and the key changed to schema_v1.key (a test key). Kept for the upgrade test; do not re-run: the point of the file
is that the old program wrote it. It was made with

    git worktree add /tmp/old4 085e35a
    cp tests/data/make_synced_device.py tests/data/make_schema_v4.py /tmp/old4/tests/data/
    (cd /tmp/old4 && python tests/data/make_schema_v4.py /path/to/tests/data/schema_v4.db)

(make_synced_device.py tells what the database holds)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synced_device import build

if __name__ == "__main__":
    build(4, Path(sys.argv[1]))
