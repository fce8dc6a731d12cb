"""The package as a user meets it: imports, no torch in the NumPy core, a pure wheel."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_does_not_import_torch():
    code = "import rnn_kit, sys; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_numpy_core_modules_never_import_torch():
    for path in (ROOT / "rnn_kit").rglob("*.py"):
        if path.name.startswith("torch_"):
            continue
        text = path.read_text()
        assert not re.search(r"^(import|from) torch", text, re.M), path  # a lazy import inside a function is fine


@pytest.mark.slow
def test_builds_a_pure_python_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnn_kit/rnn.py" in names and not any(n.startswith("tests/") for n in names)
