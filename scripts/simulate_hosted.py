"""Run every notebook as Colab and Kaggle would, in a fresh environment with the oldest packages rnn-kit allows.

    python scripts/simulate_hosted.py                  # every notebook in notebooks/
    python scripts/simulate_hosted.py 01 03            # those whose name starts with 01 or 03
    python scripts/simulate_hosted.py --numpy 1.26.4   # try other versions than pyproject.toml's lower bounds
    python scripts/simulate_hosted.py --keep DIR       # work in DIR and leave it there, to look inside
    RNN_KIT_GPU=1 python scripts/simulate_hosted.py --keras 3.0.0   # torch's lower bound too (PyPI's CUDA
                                                                    # build, about 3 GB; keras of its time)

A learner who opens a notebook from its Colab or Kaggle badge gets that platform's own NumPy,
matplotlib and PyTorch, often older than requirements.txt pins, and the Setup cell runs
``%pip install "rnn-kit[torch] @ git+<repository>"``. This script does the same here, with no network
but PyPI:

1. the repository: the checkout as it is now (HEAD with the working tree's changes and the untracked
   files git does not ignore) is committed into a temporary git repository that stands in for GitHub;
2. the platform: a fresh virtual environment gets exactly the lower bounds of pyproject.toml
   (``numpy>=X`` becomes ``numpy==X``; PyTorch's CPU build on Linux), and what both platforms ship
   and the notebooks use: keras, tqdm, ipywidgets, ipykernel;
3. each notebook is copied with its install line pointing at that repository (``git+file://...``)
   and run by a kernel of that environment, in a folder outside the checkout (so neither ``assets/``
   nor ``data/`` can be reached): its Setup cell alone under Kaggle's marker
   (``KAGGLE_KERNEL_RUN_TYPE=Interactive``), then the whole notebook under Colab's (a stub
   ``google.colab`` module, imported when the kernel starts, as on Colab);
4. the checks: every Setup cell left rnn_kit installed from that repository into the platform's
   environment, the install left the platform's own packages as they were (the lower bounds admit
   them), and no run wrote into the installed package.

tests/test_colab_kaggle.py runs ``simulate`` with the pinned torch and checks its report: about five
minutes on a 2-core machine, most of it the notebooks themselves and installing PyTorch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import INSTALL_BEGIN, repository_url  # noqa: E402

from tasks import TORCH_CPU_INDEX, cpu_torch_wanted, run_env  # noqa: E402

BOUNDED = ("numpy", "matplotlib", "torch")  # the packages whose lower bounds pyproject.toml states and this proves
SHIPPED = ("tqdm", "ipywidgets", "ipykernel")  # on both platforms; tqdm draws rnn_kit's progress bars there
PLATFORMS = {  # what the Setup cell looks at to know where it runs
    "kaggle": {"KAGGLE_KERNEL_RUN_TYPE": "Interactive"},
    "colab": {},  # plus google.colab imported at kernel start (see kernel_env)
}
SANITIZE = (NOTEBOOKS / "sanitize.cfg").read_text(encoding="utf-8")  # nbval's rule that masks durations
TIMINGS, TIMINGS_MASK = (re.search(rf"^{key}: (.+)$", SANITIZE, re.M).group(1) for key in ("regex", "replace"))
CHECK_MARK = "HOSTED-CHECK "
# Appended to every executed copy: where rnn_kit came from and what the kernel saw, as one JSON line.
CHECK_CELL = f"""\
import importlib.metadata as _md, importlib.resources as _res, importlib.util as _util
import json as _json, os as _os, sys as _sys
import rnn_kit as _rk
from rnn_kit.notebook import assets_dir as _assets_dir
_data = sorted(p.name for p in _res.files("rnn_kit.bundled_data").iterdir() if p.name != "__pycache__")
print({CHECK_MARK!r} + _json.dumps({{
    "prefix": _sys.prefix, "package": _os.path.dirname(_rk.__file__),
    "direct_url": _json.loads(_md.distribution("rnn-kit").read_text("direct_url.json") or "{{}}").get("url"),
    "assets_dir": None if _assets_dir() is None else str(_assets_dir()),
    "data": str((_res.files("rnn_kit.bundled_data") / _data[0]).parent), "data_files": _data,
    "colab": "google.colab" in _sys.modules, "kaggle": "KAGGLE_KERNEL_RUN_TYPE" in _os.environ,
    "versions": {{n: _md.version(n) for n in {BOUNDED!r} if _util.find_spec(n)}},
}}))"""


# --- what to install -----------------------------------------------------------------------------

def lower_bounds(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """The ``>=`` bound of numpy and matplotlib (``dependencies``) and of torch (the ``torch`` extra)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    bounds = {}
    for line in [*project["dependencies"], *project["optional-dependencies"]["torch"]]:
        req = Requirement(line)
        lows = [s.version for s in req.specifier if s.operator == ">="]
        if req.name in BOUNDED and len(lows) == 1:
            bounds[req.name] = lows[0]
    missing = set(BOUNDED) - set(bounds)
    if missing:
        raise ValueError(f"pyproject.toml states no '>=' lower bound for {', '.join(sorted(missing))}")
    return bounds


def pinned(name: str, requirements: Path = ROOT / "requirements.txt") -> str:
    """``name``'s line in requirements.txt (the tested version), e.g. ``keras~=3.15.1``."""
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if re.match(rf"{re.escape(name)}\s*[=~<>!]", line):
            return line.split("#")[0].strip()
    raise ValueError(f"requirements.txt pins no {name}")


def uses(nb, module: str) -> bool:
    """Whether a code cell of ``nb`` imports ``module``."""
    pattern = rf"^\s*(import|from) {module}\b"
    return any(c.cell_type == "code" and re.search(pattern, c.source, re.M) for c in nb.cells)


# --- the repository and the platform -------------------------------------------------------------

def _git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=rnn-kit simulation", "-c", "user.email=simulation@localhost",
                "-c", "core.autocrlf=false"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def snapshot_repository(dest: Path) -> str:
    """Commit the checkout as it is now (HEAD plus the working tree, untracked files included) into ``dest``.

    Returns the address pip can install from, as it would from GitHub: ``file://localhost/...``, since
    pip before 23.3 rejects ``git+file:///...`` (no host) as an invalid requirement.
    """
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree stays deleted
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "the checkout as it is", cwd=dest)
    return "file://localhost" + dest.resolve().as_uri().removeprefix("file://")


def _pip(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command[3:])} failed:\n{tail}")


def create_platform(venv_dir: Path, versions: dict[str, str], extras: list[str], python: str = sys.executable,
                    *, with_torch: bool = True) -> Path:
    """A fresh virtual environment with exactly ``versions`` of numpy, matplotlib (and torch), plus ``extras``.

    On Linux, PyTorch's CPU build (from PyTorch's index, as tasks.py installs it); ``RNN_KIT_GPU=1``
    takes PyPI's default build instead, the CUDA one (several GB, but any release PyPI has).
    Byte-compiling is skipped: it would take longer than the notebooks that use the files.
    """
    subprocess.run([python, "-m", "venv", str(venv_dir)], check=True)
    py = venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    torch = [f"torch=={versions['torch']}{'+cpu' if cpu_torch_wanted() else ''}"] if with_torch else []
    if torch and cpu_torch_wanted():
        try:
            _pip(py, "install", "-q", "--no-compile", "--no-deps", *torch, "--extra-index-url", TORCH_CPU_INDEX)
        except RuntimeError as exc:
            raise RuntimeError(f"PyTorch's CPU build {torch[0]} could not be installed. Choose another version "
                               f"(--torch), or let RNN_KIT_GPU=1 take PyPI's CUDA build (several GB).\n{exc}") from exc
    numpy, matplotlib = f"numpy=={versions['numpy']}", f"matplotlib=={versions['matplotlib']}"
    _pip(py, "install", "-q", "--no-compile", numpy, matplotlib, *torch, *extras, *SHIPPED)
    return py


def installed(python: Path) -> dict[str, str]:
    """Every distribution in ``python``'s environment and its version."""
    out = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "list", "--format=json"],
                         check=True, capture_output=True, text=True).stdout
    return {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(out)}


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder``, byte-compiled caches left out."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


# --- one notebook on one platform ----------------------------------------------------------------

def hosted_copy(path: Path, snapshot_url: str, *, setup_only: bool):
    """``path`` with its install line pointing at the snapshot, ending with the check cell.

    With ``setup_only``, the cells up to the Setup cell only.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    url = f"git+{repository_url()}"
    index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and INSTALL_BEGIN in c.source), None)
    if index is None or url not in nb.cells[index].source:
        raise ValueError(f"{path.name}: no Setup cell that installs {url} on Colab and Kaggle")
    nb.cells[index].source = nb.cells[index].source.replace(url, f"git+{snapshot_url}")
    if setup_only:
        nb.cells = nb.cells[: index + 1]
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_CELL))
    return nb


def kernel_env(platform: str, venv_dir: Path, scratch: Path) -> dict[str, str]:
    """The kernel's environment on ``platform``: the test suite's (one thread, offline), nothing of the checkout."""
    env = run_env()
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "RNN_KIT_WRITE_ASSETS", "JUPYTER_PATH",
                "KAGGLE_KERNEL_RUN_TYPE", "PYTHONSTARTUP", "MPLBACKEND"):
        env.pop(var, None)
    env.update(PLATFORMS[platform])
    env.update({
        "PATH": os.pathsep.join([str(venv_dir / ("Scripts" if os.name == "nt" else "bin")), env.get("PATH", "")]),
        "VIRTUAL_ENV": str(venv_dir),
        "PYTHONNOUSERSITE": "1",
        "RNN_KIT_CACHE": str(scratch / "cache"),  # not the developer's downloaded corpus
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
        "IPYTHONDIR": str(scratch / f"ipython-{platform}"),
    })
    if platform == "colab":  # google.colab is imported before the first cell runs, as on Colab
        stub = scratch / "colab-stub" / "google" / "colab"
        stub.mkdir(parents=True, exist_ok=True)
        stub_text = '"""A stand-in for Colab\'s module: the Setup cell looks for it."""\n'
        (stub / "__init__.py").write_text(stub_text, encoding="utf-8")
        env["PYTHONPATH"] = str(scratch / "colab-stub")
        startup = scratch / f"ipython-{platform}" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-colab.py").write_text("import google.colab  # noqa: F401\n", encoding="utf-8")
    return env


def execute(nb, python: Path, env: dict[str, str], cwd: Path, kernels: Path, timeout: int = 600) -> dict:
    """Run ``nb`` in a kernel of ``python`` started in ``cwd`` with ``env``; the check cell's report."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    spec = kernels / "hosted"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hosted platform", "language": "python"}), encoding="utf-8")
    km = KernelManager(kernel_name="hosted", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    cwd.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}},
                            record_timing=False)
    client.execute(env=env)
    text = "".join(out.get("text", "") for out in nb.cells[-1].outputs)
    return json.loads(text.split(CHECK_MARK, 1)[1])


def _printed(cell) -> str:
    """What a code cell printed, as text (figures left out), with durations masked as nbval's sanitizer does."""
    text = ""
    for out in cell.get("outputs", []):
        if out.get("name") == "stdout":
            text += "".join(out["text"])
        elif out.get("output_type") == "execute_result":
            text += "".join(out["data"].get("text/plain", ""))
    return re.sub(TIMINGS, TIMINGS_MASK, text)


def differing_outputs(executed, committed) -> list[str]:
    """The first line of each code cell whose printed output differs from the committed notebook's.

    Cells nbval ignores (tag ``nbval-ignore-output``) and the Setup cell (pip's messages) are left out.
    """
    pairs = zip(executed.cells, committed.cells)
    return [mine.source.splitlines()[0] for mine, theirs in pairs
            if mine.cell_type == "code" and INSTALL_BEGIN not in mine.source
            and "nbval-ignore-output" not in mine.metadata.get("tags", []) and _printed(mine) != _printed(theirs)]


# --- the whole simulation ------------------------------------------------------------------------

@dataclass
class Run:
    notebook: str
    platform: str
    whole: bool  # the whole notebook, or its Setup cell only
    seconds: float
    check: dict
    differences: list[str]  # cells that printed other text than the committed notebook (whole runs only)


@dataclass
class Report:
    versions: dict[str, str]  # asked for
    packages_before: dict[str, str]  # the platform's environment before any Setup cell
    packages_after: dict[str, str]
    package_before: dict[str, str]  # the installed rnn_kit's files after the Setup cells (Kaggle)
    package_after: dict[str, str]  # and after reinstalling it and running every notebook (Colab)
    repository: str  # the snapshot of the checkout
    snapshot_url: str
    venv: str
    runs: list[Run] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def discover(prefixes=(), folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks in ``folder`` whose name starts with one of ``prefixes`` (all without), in course order."""
    return sorted(p for p in folder.glob("*.ipynb") if not prefixes or p.name.startswith(tuple(prefixes)))


def simulate(workdir: Path, prefixes=(), versions: dict[str, str] | None = None, python: str = sys.executable,
             keras: str | None = None, log=print) -> Report:
    """Steps 1-4 of the module docstring, in ``workdir`` (which must lie outside the checkout).

    ``versions`` replaces lower bounds (``{"torch": "2.13.0"}``); keras is requirements.txt's unless ``keras``
    names a version; ``python`` is the platform's interpreter.
    """
    import nbformat

    workdir = workdir.resolve()
    if workdir == ROOT or ROOT in workdir.parents:
        raise ValueError(f"work outside the checkout, not in {workdir}")
    clock, seconds = time.perf_counter(), {}

    def lap(step):
        nonlocal clock
        seconds[step] = time.perf_counter() - clock
        clock = time.perf_counter()
        log(f"[simulate_hosted] {step}: {seconds[step]:.0f} s")

    repo = workdir / "repository"
    repo.mkdir()
    snapshot_url = snapshot_repository(repo)
    paths = discover(prefixes, repo / "notebooks")  # the notebooks as snapshotted, not as they may be by now
    if not paths:
        raise ValueError(f"no notebook matched {prefixes}")
    committed = {path.name: nbformat.read(path, as_version=4) for path in paths}
    # every copy made before anything slow starts, so that a notebook without a Setup cell fails at once
    copies = {(path.name, whole): hosted_copy(path, snapshot_url, setup_only=not whole)
              for whole in (False, True) for path in paths}
    lap("snapshot of the checkout")

    versions = {**lower_bounds(), **(versions or {})}
    needs = {module for nb in committed.values() for module in ("torch", "keras") if uses(nb, module)}
    extras = [f"keras=={keras}" if keras else pinned("keras")] if "keras" in needs else []
    venv_dir = workdir / "platform"
    py = create_platform(venv_dir, versions, extras, python, with_torch="torch" in needs)
    packages_before = installed(py)
    have = [f"{name} {packages_before[name]}" for name in (*BOUNDED, "keras") if name in packages_before]
    lap(f"platform environment ({', '.join(have)})")

    runs, fingerprints = [], []  # the installed rnn_kit after the Setup cells, and after the whole runs
    (workdir / "executed").mkdir()
    for platform, whole in (("kaggle", False), ("colab", True)):
        _pip(py, "uninstall", "-q", "-y", "rnn-kit")  # so the first Setup cell of each platform installs it
        env = kernel_env(platform, venv_dir, workdir)
        for name in committed:
            start, nb = time.perf_counter(), copies[name, whole]
            try:
                check = execute(nb, py, env, workdir / "work" / platform, workdir / "kernels")
            finally:
                nbformat.write(nb, workdir / "executed" / f"{platform}-{name}")
            differences = differing_outputs(nb, committed[name]) if whole else []
            runs.append(Run(name, platform, whole, time.perf_counter() - start, check, differences))
            log(f"[simulate_hosted] {platform}: {name} ({'whole' if whole else 'Setup cell'}) {runs[-1].seconds:.0f} s")
        lap(f"{platform}: {'every notebook, top to bottom' if whole else 'every Setup cell'}")
        fingerprints.append(fingerprint(Path(runs[-1].check["package"])))

    return Report(versions, packages_before, installed(py), *fingerprints, str(repo), snapshot_url, str(venv_dir), runs,
                  seconds)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="run only the notebooks whose name starts so")
    for name in BOUNDED:
        parser.add_argument(f"--{name}", help=f"{name} version instead of pyproject.toml's lower bound")
    parser.add_argument("--keras", help="keras version instead of requirements.txt's")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the platform environment")
    parser.add_argument("--keep", type=Path, help="an empty folder to work in, left in place afterwards")
    args = parser.parse_args(argv)
    chosen = {name: getattr(args, name) for name in BOUNDED if getattr(args, name)}
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rnn-kit-hosted-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        report = simulate(workdir, args.prefixes, chosen, args.python, args.keras)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    changed = {k: (v, report.packages_after.get(k)) for k, v in report.packages_before.items()
               if report.packages_after.get(k) != v}
    for run in report.runs:
        if run.differences:
            print(f"{run.notebook} printed other text than committed in {len(run.differences)} cells:",
                  *run.differences, sep="\n    ")
    same_package = report.package_before == report.package_after
    print(f"total {sum(report.seconds.values()):.0f} s; packages the installs changed: {changed or 'none'}; "
          f"installed package {'unchanged' if same_package else 'CHANGED'}")
    return 0 if same_package and not changed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
