"""The commands of the README. Each sets everything up first, then does its job.

    python3 tasks.py lab     # open the tutorials in JupyterLab
    python3 tasks.py test    # run every test: the package and every notebook (nbval)
    python3 tasks.py lite    # build the JupyterLite site of the NumPy notebooks into _site/

Setting up means: make a virtual environment in ``.venv`` with the Python that runs
this script (3.11 or newer), and install ``requirements.txt`` into it, with PyTorch's CPU
build on Linux (``RNN_KIT_GPU=1`` keeps the default CUDA build). That happens again only
when ``requirements.txt`` or ``pyproject.toml`` change. Nothing outside this folder is touched.
``test`` takes ``--kernels A,B`` (Prescott, Sandybridge, Haswell or none): the CPU kernels
under which every notebook runs a second time (default Prescott).
Extra arguments after ``test`` go to pytest (``python3 tasks.py test -k rnn``), after ``lite`` to
scripts/build_lite.py (``python3 tasks.py lite --output site``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".rnn-kit-requirements.sha256"
PYTEST_ARGS = ["-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
               "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
               "tests", "notebooks"]
NO_TESTS_COLLECTED = 5  # pytest's exit code when nothing ran
MIN_PYTHON = (3, 11)  # the pinned numpy, matplotlib and hypothesis need it
TORCH = "2.13.0"  # as pinned in requirements.txt
# The kernel's name as scripts/run_notebooks.py writes it into every notebook: the same here, so that
# opening a notebook in `tasks.py lab` does not mark it modified.
KERNEL_DISPLAY_NAME = "Python 3 (ipykernel)"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# BLAS and PyTorch CPU kernels that round differently from this machine's default. Every notebook is
# re-executed under each chosen setting and must print the same outputs (README: Changing a notebook).
KERNELS = {
    "Prescott": {"OPENBLAS_CORETYPE": "Prescott", "ATEN_CPU_CAPABILITY": "default"},
    "Sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge", "ATEN_CPU_CAPABILITY": "default"},
    "Haswell": {"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2"},
}
DEFAULT_KERNELS = "Prescott"


def cpu_torch_wanted() -> bool:
    """On Linux, PyTorch's default wheel is the CUDA build (several GB); the course runs on a CPU.

    So the set-up installs the CPU build there first (``torch==2.13.0+cpu`` satisfies the
    ``torch==2.13.0`` pin). ``RNN_KIT_GPU=1`` keeps the default CUDA build instead. macOS and
    Windows wheels on PyPI are CPU builds already.
    """
    return sys.platform.startswith("linux") and os.environ.get("RNN_KIT_GPU") != "1"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(b"cpu-torch" if cpu_torch_wanted() else b"default-torch")
    return digest.hexdigest()


class SetupError(Exception):
    """A step of the set-up failed; the message says what and what to try."""


def _run_setup_step(what: str, command: list[str], hint: str) -> None:
    """Run one set-up command; on failure raise SetupError with one readable paragraph."""
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    except OSError as exc:
        raise SetupError(f"{what} could not start: {exc}. {hint}") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise SetupError(f"{what} failed (exit code {result.returncode}). Its last lines:\n{tail}\n{hint}")


def setup() -> Path:
    """Create ``.venv`` and install the pinned requirements, unless already done."""
    if sys.version_info < MIN_PYTHON:
        found = sys.version.split()[0]
        sys.exit(f"rnn-kit needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer to run its tests and notebooks; "
                 f"this is Python {found}. Run this script with a newer python3.")
    try:
        return _setup()
    except SetupError as exc:
        sys.exit(f"[rnn-kit] setting up the environment did not work.\n{exc}")


def _setup() -> Path:
    python = venv_python()
    if not python.exists():
        print(f"[rnn-kit] creating a virtual environment in {VENV.name}/", flush=True)
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SetupError(f"creating {VENV.name}/ failed ({exc}). On Debian/Ubuntu install the venv module "
                             f"(apt install python3-venv) and try again.") from exc
    wanted = requirements_hash()
    if not STAMP.exists() or STAMP.read_text(encoding="utf-8").strip() != wanted:
        print("[rnn-kit] installing requirements.txt (first run only; a few minutes)", flush=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        hint = ("Check the network connection (the first install downloads the packages) or the proxy "
                "(pip honours HTTPS_PROXY), then run the same command again; nothing else needs undoing.")
        if cpu_torch_wanted():
            _run_setup_step("installing PyTorch's CPU build", [*pip, "--no-deps", f"torch=={TORCH}+cpu",
                                                              "--extra-index-url", TORCH_CPU_INDEX], hint)
        _run_setup_step("pip install -r requirements.txt", [*pip, "-r", str(ROOT / "requirements.txt")], hint)
        _run_setup_step("registering the Jupyter kernel", [str(python), "-m", "ipykernel", "install", "--sys-prefix",
                                                           "--name", "python3", "--display-name", KERNEL_DISPLAY_NAME],
                        "Delete the .venv folder and run the command again.")
        STAMP.write_text(wanted, encoding="utf-8")
    return python


def run_env() -> dict:
    """One BLAS/OpenMP thread (for models this small a second one costs more than it gains), offline."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("RNN_KIT_OFFLINE", "1")  # notebooks and tests never touch the network
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def _kernels_option(extra: list[str]) -> tuple[list[str], list[str]]:
    """Split ``--kernels A,B`` (or ``--kernels none``) off the pytest arguments."""
    names = os.environ.get("RNN_KIT_KERNELS", DEFAULT_KERNELS)
    rest = []
    args = iter(extra)
    for arg in args:
        if arg == "--kernels":
            names = next(args, "")
        elif arg.startswith("--kernels="):
            names = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    chosen = [] if names.strip().lower() == "none" else [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in KERNELS]
    if unknown:
        sys.exit(f"--kernels takes names from {', '.join(KERNELS)} (or none), got {', '.join(unknown)}")
    return chosen, rest


def _pytest(python: Path, args: list[str], env: dict) -> int:
    code = subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT, env=env).returncode
    if code == NO_TESTS_COLLECTED:
        print("[rnn-kit] pytest collected no tests: the suite is broken, not green", file=sys.stderr)
        return 1
    return code


def test(extra: list[str]) -> int:
    """Every test and notebook; then every notebook again under other CPU kernels (``--kernels``).

    The second pass re-executes each notebook with OpenBLAS and PyTorch forced onto other
    kernels (``--kernels Prescott`` by default; ``--kernels Prescott,Sandybridge,Haswell`` for
    all; ``--kernels none`` to skip), and nbval requires the same outputs as the committed
    ones: a printed number that depends on rounding fails there. It is skipped when pytest
    arguments select a part of the suite.
    """
    kernels, extra = _kernels_option(extra)
    python = setup()
    code = _pytest(python, [*PYTEST_ARGS, *extra], run_env())
    if code != 0 or extra:
        return code
    for name in kernels:
        print(f"[rnn-kit] every notebook again under the {name} kernels: {KERNELS[name]}", flush=True)
        code = _pytest(python, [*PYTEST_ARGS[:-2], "notebooks"], {**run_env(), **KERNELS[name]})
        if code != 0:
            return code
    return 0


def lab(extra: list[str]) -> int:
    """JupyterLab rooted at the repository (so the notebooks' links to ../references.md work), opened on notebooks/."""
    python = setup()
    env = run_env()
    env.pop("RNN_KIT_OFFLINE")  # a learner may download Tiny Shakespeare
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers run as root
    return subprocess.run([str(python), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}",
                           "--LabApp.default_url=/lab/tree/notebooks", *as_root, *extra], cwd=ROOT, env=env).returncode


def lite(extra: list[str]) -> int:
    python = setup()
    return subprocess.run([str(python), str(ROOT / "scripts" / "build_lite.py"), *extra], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "lite": lite}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
