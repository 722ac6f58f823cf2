"""What the program writes for a person to carry away (an export, a workbook): its folder must be one, and the file
holds ID numbers, so it is readable by its owner only from its first byte."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from clinic_app.errors import ValidationError
from clinic_app.files import require_folder, write_private


def test_a_file_named_as_the_folder_is_refused_as_a_file_not_a_missing_folder(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ValidationError) as err:
        require_folder(afile / "visits-2026-12-01.json", "export")
    assert (err.value.field, err.value.rule) == ("export", "folder_is_file")
    assert "is a file, not a folder" in str(err.value)
    with pytest.raises(ValidationError) as err:
        require_folder(tmp_path / "gone" / "x.json", "export")
    assert err.value.rule == "folder_missing"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_private_file_is_its_owner_s_only_and_leaves_no_part_file(tmp_path: Path) -> None:
    target = tmp_path / "visits.json"
    old = os.umask(0o022)
    try:
        (tmp_path / "visits.json.part").write_text("an earlier try")
        os.chmod(tmp_path / "visits.json.part", 0o644)
        write_private(target, "身份证号".encode())
    finally:
        os.umask(old)
    assert target.read_bytes() == "身份证号".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (tmp_path / "visits.json.part").exists()
