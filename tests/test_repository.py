"""The repository as a whole: lint, the README's commands, CI calling them."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff not installed")
def test_ruff_is_clean_on_code_and_notebooks():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 tasks.py test" in readme and "python3 tasks.py lab" in readme
    assert "exec python3 tasks.py test" in ci


def test_tasks_without_a_command_prints_usage():
    result = subprocess.run([sys.executable, str(ROOT / "tasks.py")], capture_output=True, text=True)
    assert result.returncode == 2 and "python3 tasks.py lab" in result.stdout


def test_requirements_pin_torch_exactly_and_the_rest_compatibly():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert "torch==2.13.0" in lines
    for ln in lines:
        if ln.startswith("-e ") or ln.startswith("torch=="):
            continue
        assert "~=" in ln or "==" in ln, ln  # compatible releases, or exact pins where a comment says why
    assert "-e .[torch,keras,dev]" in lines


def _text_io_without_encoding(tree):
    """Calls of open(), .read_text() or .write_text() in text mode that do not name an encoding."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        is_method = isinstance(func, ast.Attribute)
        if not ((name == "open" and not is_method) or (name in ("read_text", "write_text") and is_method)):
            continue
        if any(k.arg == "encoding" for k in node.keywords):
            continue
        mode = node.args[1] if name == "open" and len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and "b" in str(mode.value):
            continue
        yield node.lineno


def test_text_files_are_read_and_written_as_utf8_everywhere():
    """Windows' default encoding is cp1252: every text read or write names its encoding."""
    paths = [ROOT / "tasks.py", *(p for folder in ("rnn_kit", "scripts", "tests", "benchmarks")
                                  for p in (ROOT / folder).rglob("*.py"))]
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in paths
                 for line in _text_io_without_encoding(ast.parse(path.read_text(encoding="utf-8")))]
    assert not offenders, offenders
