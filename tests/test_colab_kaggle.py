"""The Colab / Kaggle launch path, and the lower bounds pyproject.toml states.

scripts/simulate_hosted.py plays both platforms (its docstring says how): a fresh virtual environment
holding exactly the lower bounds of numpy and matplotlib, every notebook's Setup cell installing rnn_kit
from a git snapshot of this checkout, the Setup cells under Kaggle's marker and every notebook to the
end under Colab's. The slow tests here check its report; they share one simulation, which makes a
virtual environment, installs PyTorch into it and needs PyPI: about five minutes on the 2-core machine.

torch is the pinned release: PyTorch's CPU builds come from PyTorch's own index, and this machine has only
the pinned one. torch's lower bound was proven by the same script with PyPI's (CUDA) build of it:
``RNN_KIT_GPU=1 python scripts/simulate_hosted.py --keras 3.0.0`` (about 3 GB to download). Such a run
prints different numbers in a few cells (dropout and Keras draw other random numbers in other releases),
so there it is the asserts inside the notebooks that must hold, not the committed outputs.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbclient")  # the notebook machinery; the NumPy-only CI job lacks it
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import simulate_hosted  # noqa: E402

# RNN_KIT_HOSTED_NOTEBOOKS="01 05" runs only those (while a notebook is being written, say); CI runs all.
PREFIXES = os.environ.get("RNN_KIT_HOSTED_NOTEBOOKS", "").split()
NOTEBOOKS = simulate_hosted.discover(PREFIXES)
TORCH = simulate_hosted.pinned("torch").split("==")[1]  # see the module docstring


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    before, workdir = _git_status(), tmp_path_factory.mktemp("hosted")
    try:
        result = simulate_hosted.simulate(workdir, PREFIXES, versions={"torch": TORCH})
        result.checkout_changes = sorted(set(_git_status().splitlines()) ^ set(before.splitlines()))
        yield result
    finally:  # the environment is 1.3 GB; the executed notebooks stay, for a look after a failure
        shutil.rmtree(workdir / "platform", ignore_errors=True)


def test_lower_bounds_admit_the_pinned_versions():
    """pyproject.toml's bounds are below requirements.txt's pins: the tested environment satisfies them too."""
    bounds = simulate_hosted.lower_bounds()
    assert set(bounds) == {"numpy", "matplotlib", "torch"}
    for name, bound in bounds.items():
        (pin,) = Requirement(simulate_hosted.pinned(name)).specifier
        assert Version(bound) <= Version(pin.version), (name, bound, pin)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hosted_copy_installs_from_the_snapshot(path):
    nb = simulate_hosted.hosted_copy(path, "file://localhost/tmp/repo", setup_only=True)
    setup = nb.cells[-2].source
    assert 'install -q "rnn-kit' in setup and "@ git+file://localhost/tmp/repo" in setup
    assert "github.com" not in setup
    assert nb.cells[-1].source == simulate_hosted.CHECK_CELL


@pytest.mark.slow
def test_every_notebook_ran_on_both_platforms(report):
    """Kaggle ran every Setup cell, Colab every notebook to the end; both installed rnn_kit themselves."""
    ran = {(r.notebook, r.platform, r.whole) for r in report.runs}
    assert ran == {(p.name, "kaggle", False) for p in NOTEBOOKS} | {(p.name, "colab", True) for p in NOTEBOOKS}
    for run in report.runs:
        assert run.check["kaggle"] == (run.platform == "kaggle") and run.check["colab"] == (run.platform == "colab")


@pytest.mark.slow
def test_setup_cell_installs_the_repository_into_the_platform(report):
    """rnn_kit and its data come from the installed snapshot, never from the checkout."""
    venv = Path(report.venv)
    for run in report.runs:
        check = run.check
        assert Path(check["prefix"]) == venv, run
        assert venv in Path(check["package"]).parents and ROOT not in Path(check["package"]).parents, run
        assert check["direct_url"] == report.snapshot_url, run
        assert check["assets_dir"] is None, run  # so save_figure writes nothing
        assert Path(check["data"]) == Path(check["package"]) / "bundled_data", run
        shipped = {p.name for p in (Path(report.repository) / "data").iterdir() if p.is_file()}
        left_out = shipped - set(check["data_files"])
        assert not left_out, f"pyproject.toml's package-data leaves {sorted(left_out)} out of the wheel"


@pytest.mark.slow
def test_the_platform_has_the_lower_bounds(report):
    wanted = {**simulate_hosted.lower_bounds(), "torch": TORCH}
    for run in report.runs:
        for name, version in run.check["versions"].items():
            assert Version(Version(version).public) == Version(wanted[name]), (run.notebook, name, version)


@pytest.mark.slow
def test_installing_rnn_kit_keeps_the_platforms_packages(report):
    """The bounds admit what the platform has, so `%pip install rnn-kit[torch]` upgrades nothing."""
    def others(packages):
        return {name: version for name, version in packages.items() if name != "rnn-kit"}

    assert others(report.packages_after) == others(report.packages_before)
    assert "rnn-kit" not in report.packages_before and "rnn-kit" in report.packages_after


@pytest.mark.slow
def test_notebooks_print_the_committed_text(report):
    """With the oldest packages too, each notebook prints what it prints in the checkout.

    A difference means the installed package behaves otherwise than the checkout: a data file the
    wheel lacks (a shipped model the notebook then skips), or a number that depends on the version.
    """
    for run in report.runs:
        assert not run.differences, f"{run.notebook} on {run.platform}: these cells printed other text: {run.differences}"


@pytest.mark.slow
def test_running_the_notebooks_writes_nothing_into_the_package_or_the_checkout(report):
    assert report.package_before and report.package_after == report.package_before
    assert not report.checkout_changes, f"changed in the checkout while the simulation ran: {report.checkout_changes}"
