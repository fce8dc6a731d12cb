"""The repository as a whole: lint, the README's commands, CI calling them."""

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
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py lab" in readme
    assert "exec python3 tasks.py test" in ci


def test_tasks_without_a_command_prints_usage():
    result = subprocess.run([sys.executable, str(ROOT / "tasks.py")], capture_output=True, text=True)
    assert result.returncode == 2 and "python3 tasks.py lab" in result.stdout


def test_requirements_pin_torch_exactly_and_the_rest_compatibly():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert "torch==2.13.0" in lines
    for ln in lines:
        if ln.startswith("-e ") or ln.startswith("torch=="):
            continue
        assert "~=" in ln, ln
    assert "-e .[torch,keras,dev]" in lines
