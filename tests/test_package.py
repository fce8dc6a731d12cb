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


def test_nothing_outside_the_torch_subpackage_imports_torch():
    """The boundary is a folder: only rnn_kit/torch/ may import torch, even lazily inside a function."""
    torch_folder = ROOT / "rnn_kit" / "torch"
    for path in (ROOT / "rnn_kit").rglob("*.py"):
        if torch_folder in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from) torch\b", text, re.M), path
        lazy_ok = path.name in ("notebook.py", "charlm.py")  # they reach torch lazily, through rnn_kit.torch
        assert lazy_ok or not re.search(r"^\s*(import|from) (\.+|rnn_kit\.)torch\b", text, re.M), path


@pytest.mark.slow
def test_builds_a_pure_python_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnn_kit/cells/rnn.py" in names and not any(n.startswith("tests/") for n in names)


def test_the_model_is_built_from_public_pairs_only():
    """RNNModel calls no `_private` name of another module: what the course teaches is what runs."""
    import ast

    tree = ast.parse((ROOT / "rnn_kit" / "model.py").read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [a.asname or a.name for a in node.names]
            assert not [n for n in names if n.startswith("_")], (node.module, names)
            if node.module is None:  # `from . import layers`
                modules.update(names)
    private = [f"{n.value.id}.{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute)
               and isinstance(n.value, ast.Name) and n.value.id in modules and n.attr.startswith("_")]
    assert modules and not private, private
    text = (ROOT / "rnn_kit" / "model.py").read_text(encoding="utf-8")
    assert "self.cell.recurrence_forward" in text and "self.cell.recurrence_backward" in text
