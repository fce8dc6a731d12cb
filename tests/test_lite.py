"""The JupyterLite site: what it holds, that it builds offline, and that its notebooks can run under Pyodide."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import rnn_kit
from rnn_kit.data import python_docs_text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_lite  # noqa: E402
import run_notebooks  # noqa: E402

LITE_NOTEBOOKS = build_lite.numpy_only_notebooks()

# Pyodide's standard library lacks nothing here, and none of these needs a thread, a process or a socket.
PYODIDE_STDLIB = {
    "__future__", "abc", "argparse", "bisect", "bz2", "collections", "contextlib", "copy", "csv", "dataclasses",
    "datetime", "decimal", "enum", "fractions", "functools", "gzip", "hashlib", "heapq", "importlib", "inspect", "io",
    "itertools", "json", "lzma", "math", "numbers", "operator", "os", "pathlib", "pprint", "random", "re",
    "statistics", "string", "struct", "sys", "tempfile", "textwrap", "time", "typing", "unicodedata", "warnings",
    "zipfile", "zlib",
}
ALLOWED = {"numpy", "matplotlib", "rnn_kit"} | PYODIDE_STDLIB
FORBIDDEN = {"threading", "subprocess", "multiprocessing", "concurrent", "socket", "urllib"}
# corpus.py downloads Tiny Shakespeare with urllib. Importing urllib works in Pyodide (it is in its standard
# library); only load_corpus("tinyshakespeare") opens a URL, which cannot work in a browser (the README says so
# and points to the offline corpus). So the import stays. (The offline corpus is bundled, so it needs no pydoc_data,
# which Pyodide loads only on request.)
PACKAGE_EXCEPTIONS = {"rnn_kit/data/corpus.py": {"urllib"}}


def imported_modules(code: str, *, at_import_time: bool = False) -> set[str]:
    """Top-level names of the modules that ``code`` imports absolutely (relative imports stay inside rnn_kit).

    With ``at_import_time``, only the imports that run when the module is imported, not those inside functions.
    """
    names, nodes = set(), [ast.parse(code)]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
        if not (at_import_time and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
            nodes.extend(ast.iter_child_nodes(node))
    return names


def notebook_code(path: Path) -> str:
    """The code cells as one Python source; IPython's %magics and !shell lines become ``pass``."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.sub(r"^(\s*)[%!].*$", r"\1pass", code, flags=re.M)


def test_there_are_numpy_only_notebooks():
    assert ROOT / "notebooks" / "01_rnn_from_scratch.ipynb" in LITE_NOTEBOOKS


@pytest.mark.parametrize("path", LITE_NOTEBOOKS, ids=lambda p: p.name)
def test_numpy_only_notebooks_use_only_what_pyodide_has(path):
    code = notebook_code(path)
    imported = imported_modules(code)
    assert not imported & FORBIDDEN, imported & FORBIDDEN
    assert imported <= ALLOWED, f"not available in the browser: {sorted(imported - ALLOWED)}"
    assert "use_torch=True" not in code
    tree = ast.parse(code)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not [s for s in literals if re.match(r"(/|~|[A-Za-z]:\\)\w", s)], "writes outside the working folder?"
    calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert not calls & {"home", "expanduser", "system", "popen"}


def test_the_numpy_core_imports_nothing_pyodide_lacks():
    """Every module outside rnn_kit/torch/ imports in the browser, and none uses threads, processes or sockets.

    An import inside a function runs only when it is called: such imports of optional packages (torch for a
    ``--backend torch``, matplotlib.pyplot in a plot helper) are allowed here; tests/test_package.py keeps torch
    inside rnn_kit/torch/.
    """
    checked = 0
    for path in sorted((ROOT / "rnn_kit").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("rnn_kit/torch/"):
            continue
        code, exceptions = path.read_text(encoding="utf-8"), PACKAGE_EXCEPTIONS.get(rel, set())
        forbidden = imported_modules(code) & FORBIDDEN - exceptions
        assert not forbidden, f"{rel} uses {sorted(forbidden)}, which the browser does not have"
        missing = imported_modules(code, at_import_time=True) - ALLOWED - exceptions
        assert not missing, f"importing {rel} in the browser fails: it imports {sorted(missing)}"
        checked += 1
    assert checked >= 10


def test_offline_corpus_needs_no_pydoc_data(monkeypatch):
    """Pyodide loads pydoc_data only on request: the offline corpus is bundled, so it does not need it."""
    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)  # an import of it now fails
    monkeypatch.setitem(sys.modules, "pydoc_data", None)
    assert len(python_docs_text()) == 465_048


def test_readme_launches_the_site_and_says_what_it_fetches():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    url = run_notebooks.repository_url()
    assert f"[![Launch in JupyterLite]({run_notebooks.LITE_BADGE})]({run_notebooks.lite_url(url)})" in readme[:600]
    section = readme.split("## Run it in the browser (JupyterLite)")[1].split("\n## ")[0]
    assert "python3 tasks.py lite" in section and "PyPI" in section
    schema = Path(sys.prefix, "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/schema",
                  "kernel.v0.schema.json")
    cdn = json.loads(schema.read_text(encoding="utf-8"))["properties"]["pyodideUrl"]["default"].rsplit("/", 1)[0]
    assert f"{cdn}/" in section, f"the README must name the CDN the kernel loads Pyodide from: {cdn}"


def test_lite_badge_only_for_numpy_only_notebooks():
    url = run_notebooks.repository_url()
    plain = run_notebooks.badges(url, "x.ipynb", False)
    lite = run_notebooks.badges(url, "x.ipynb", True)
    assert lite.startswith(plain) and "JupyterLite" not in plain
    assert lite.endswith(f"({run_notebooks.lite_url(url, 'x.ipynb')})")
    site = run_notebooks.lite_url("https://github.com/Some-Owner/some-repo", "n.ipynb")
    assert site == "https://some-owner.github.io/some-repo/lab/index.html?path=n.ipynb"  # GitHub Pages' address


OFFLINE_GUARD = '''
import socket

_LOCAL = {None, "localhost", "127.0.0.1", "::1"}
_connect, _getaddrinfo = socket.socket.connect, socket.getaddrinfo


def _connect_local_only(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOCAL:
        raise OSError(f"offline test: connection to {address} blocked")
    return _connect(self, address)


def _resolve_local_only(host, *args, **kwargs):
    if host not in _LOCAL:
        raise OSError(f"offline test: lookup of {host} blocked")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.getaddrinfo = _connect_local_only, _resolve_local_only
'''


def offline_env(tmp_path: Path) -> dict:
    """The environment with no proxy, no package index, and a sitecustomize that refuses non-local connections."""
    guard = tmp_path / "offline"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(OFFLINE_GUARD, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env.update(PIP_NO_INDEX="1", PYTHONPATH=os.pathsep.join([str(guard), env.get("PYTHONPATH", "")]))
    return env


CHECKOUT_PARTS = ("pyproject.toml", "README.md", "LICENSE", "tasks.py", "rnn_kit", "data", "scripts", "notebooks")


def copy_checkout(dest: Path) -> Path:
    """What the site is built from, copied: the build then runs where no other test or editor writes meanwhile."""
    ignore = shutil.ignore_patterns("__pycache__", "cache", ".ipynb_checkpoints")
    dest.mkdir()
    for name in CHECKOUT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)
    return dest


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.mark.slow
def test_site_builds_offline_with_the_numpy_notebooks_and_the_wheel(tmp_path):
    env = offline_env(tmp_path)
    probe = "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/', timeout=5)"
    blocked = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert blocked.returncode != 0 and "offline test" in blocked.stderr  # the guard works

    checkout = copy_checkout(tmp_path / "checkout")
    before = snapshot(checkout)
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, str(checkout / "scripts" / "build_lite.py"), "--output", str(site)],
                            env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert ":fetch:" not in result.stdout  # jupyterlite downloaded nothing
    assert snapshot(checkout) == before  # the build wrote nothing into the checkout (no build/, no egg-info)

    lite_notebooks = [checkout / "notebooks" / p.name for p in LITE_NOTEBOOKS]
    files = site / "files"
    for path in lite_notebooks:
        assert (files / path.name).read_bytes() == path.read_bytes(), path.name
    assert {p.name for p in files.rglob("*.ipynb")} == {p.name for p in lite_notebooks}  # no PyTorch notebook
    assert lite_notebooks[0].name in (files / "README.md").read_text(encoding="utf-8")

    (wheel,) = (site / "pypi").glob("rnn_kit-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    version = re.search(r"^Version: (\S+)$", metadata, re.M).group(1)
    pyproject_version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    assert version == rnn_kit.__version__ == pyproject_version
    assert any(n.startswith("rnn_kit/bundled_data/") and n.endswith(".csv") for n in names)

    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = config["jupyter-config-data"]["litePluginSettings"][build_lite.PYODIDE_KERNEL]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pipliteUrls"][0].split("?")[0] == "./pypi/all.json"
    assert all(url.startswith("./") for url in kernel["pipliteUrls"])  # every index is the site's own
    index = json.loads((site / "pypi" / "all.json").read_text(encoding="utf-8"))
    (release,) = index["rnn-kit"]["releases"][version]
    assert release["url"] == f"./{wheel.name}"
    assert "pyodideUrl" not in kernel and not (site / "static" / "pyodide").exists()  # Pyodide comes from its CDN
