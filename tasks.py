"""The two commands of the README. Each sets everything up first, then does its job.

    python3 tasks.py lab     # open the tutorials in JupyterLab
    python3 tasks.py test    # run every test: the package and every notebook (nbval)

Setting up means: make a virtual environment in ``.venv`` with the Python that runs
this script, and install ``requirements.txt`` into it. That happens again only when
``requirements.txt`` or ``pyproject.toml`` change. Nothing outside this folder is touched.
Extra arguments after ``test`` go to pytest (``python3 tasks.py test -k rnn``).
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


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> Path:
    """Create ``.venv`` and install the pinned requirements, unless already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 -- this script may be run by an old python3
        sys.exit(f"rnn-kit needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    python = venv_python()
    if not python.exists():
        print(f"[rnn-kit] creating a virtual environment in {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = requirements_hash()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("[rnn-kit] installing requirements.txt (first run only; a few minutes)", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(ROOT / "requirements.txt")], check=True, cwd=ROOT)
        subprocess.run([str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
                        "--display-name", "Python 3 (rnn-kit)"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        STAMP.write_text(wanted)
    return python


def run_env() -> dict:
    """One BLAS/OpenMP thread (for models this small a second one costs more than it gains), offline."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("RNN_KIT_OFFLINE", "1")  # notebooks and tests never touch the network
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def test(extra: list[str]) -> int:
    python = setup()
    code = subprocess.run([str(python), "-m", "pytest", *PYTEST_ARGS, *extra], cwd=ROOT, env=run_env()).returncode
    if code == NO_TESTS_COLLECTED:
        print("[rnn-kit] pytest collected no tests: the suite is broken, not green", file=sys.stderr)
        return 1
    return code


def lab(extra: list[str]) -> int:
    python = setup()
    env = run_env()
    env.pop("RNN_KIT_OFFLINE")  # a learner may download Tiny Shakespeare
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers run as root
    return subprocess.run([str(python), "-m", "jupyterlab", "--notebook-dir", str(ROOT / "notebooks"), *as_root,
                           *extra], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
