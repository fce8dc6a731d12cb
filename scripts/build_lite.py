"""Build the JupyterLite site: the NumPy-only notebooks, runnable in a browser with nothing installed.

    python scripts/build_lite.py                 # into _site/
    python scripts/build_lite.py --output DIR    # anywhere else (the tests build into a temporary folder)

``python3 tasks.py lite`` runs this with the project's environment. The site holds

- every notebook whose first cell says "NumPy and matplotlib only", copied unchanged;
- a README.md that tells the learner where to start;
- the rnn-kit wheel built from this checkout, in the site's own package index: the notebooks'
  ``%pip install rnn-kit`` finds it there, and installing from PyPI is switched off.

Building downloads nothing. In the browser the site loads Pyodide, and the NumPy and matplotlib
builds made for it, from the Pyodide CDN that jupyterlite-pyodide-kernel is configured with.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import NOTEBOOKS, is_numpy_only, lite_url, repository_url  # noqa: E402

DEFAULT_OUTPUT = ROOT / "_site"
PYODIDE_KERNEL = "@jupyterlite/pyodide-kernel-extension:kernel"  # the plugin whose settings jupyter-lite.json holds
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "rnn_kit", "data")  # what pyproject.toml packages


def numpy_only_notebooks() -> list[Path]:
    """The notebooks that need NumPy and matplotlib only, in course order."""
    import nbformat

    return [path for path in sorted(NOTEBOOKS.glob("*.ipynb")) if is_numpy_only(nbformat.read(path, as_version=4))]


def build_wheel(outdir: Path) -> Path:
    """Build the rnn-kit wheel from a copy of the checkout's sources, so the checkout gets no build/ or egg-info."""
    with tempfile.TemporaryDirectory(prefix="rnn-kit-src-") as tmp:
        ignore = shutil.ignore_patterns("__pycache__", "cache", "*.pyc")
        for name in WHEEL_SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, Path(tmp) / name, ignore=ignore)
            else:
                shutil.copy2(source, Path(tmp) / name)
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir), tmp],
                       check=True, stdout=subprocess.DEVNULL)
    (wheel,) = outdir.glob("rnn_kit-*-py3-none-any.whl")
    return wheel


def landing_page(notebooks: list[Path]) -> str:
    """The site's README.md: what is here and where to start."""
    import nbformat

    lines = []
    for path in notebooks:
        title = re.search(r"^# (.+)$", nbformat.read(path, as_version=4).cells[0].source, re.M).group(1)
        lines.append(f"- [{title}]({path.name})")
    return "\n".join([
        "# rnn-kit in your browser",
        "",
        "The notebooks of the rnn-kit course that need only NumPy and matplotlib, running in this",
        "browser tab: Python here is Pyodide, and nothing is installed on your computer.",
        "",
        f"**Start with [{notebooks[0].name}]({notebooks[0].name})** and run its cells from the top",
        "(Shift+Enter). The first cell installs `rnn_kit` from this site (a few seconds).",
        "",
        *lines,
        "",
        "What you change is kept in this browser's storage only: use File → Download to keep a copy.",
        f"The whole course, including the PyTorch notebooks, is at {repository_url()}.",
        "",
    ])


def lite_config() -> dict:
    """jupyter-lite.json: the Pyodide kernel may install from the site's own index only, never from PyPI."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "rnn-kit",
            "litePluginSettings": {PYODIDE_KERNEL: {"disablePyPIFallback": True}},
        },
    }


def prepare_output(output: Path) -> None:
    """Empty ``output`` for a new site; refuse to delete a folder that is not an earlier site."""
    if output.exists() and any(output.iterdir()):
        if not (output / "jupyter-lite.json").exists():
            raise SystemExit(f"{output} is not empty and holds no JupyterLite site: not deleting it")
        shutil.rmtree(output)


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """Build the site into ``output`` and return it."""
    output = Path(output).resolve()
    notebooks = numpy_only_notebooks()
    if not notebooks:
        raise SystemExit("no notebook says 'NumPy and matplotlib only' in its first cell: nothing to put on the site")
    prepare_output(output)
    with tempfile.TemporaryDirectory(prefix="rnn-kit-lite-") as tmp:
        lite_dir, files = Path(tmp) / "lite", Path(tmp) / "lite" / "files"
        files.mkdir(parents=True)
        for path in notebooks:
            shutil.copyfile(path, files / path.name)  # byte for byte, outputs included
        (files / "README.md").write_text(landing_page(notebooks), encoding="utf-8")
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(), indent=2), encoding="utf-8")
        wheel = build_wheel(Path(tmp) / "wheels")
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(Path(tmp) / "config"))  # no user-level lite settings
        env.pop("JUPYTERLITE_PYODIDE_URL", None)  # set, it would make the build download Pyodide into the site
        subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                        "--output-dir", str(output), "--contents", str(files), "--piplite-wheels", str(wheel),
                        "--apps", "lab", "--no-sourcemaps", "--no-unused-shared-packages"],
                       check=True, cwd=lite_dir, env=env)
    return output


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder for the site (default: _site/)")
    site = build(parser.parse_args(argv).output)
    files = [p for p in site.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"[rnn-kit] JupyterLite site in {site}: {len(files)} files, {size:.1f} MB")
    print(f"[rnn-kit] serve it locally with: {sys.executable} -m http.server -d {site}")
    print(f"[rnn-kit] on GitHub Pages it opens at {lite_url(repository_url())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
