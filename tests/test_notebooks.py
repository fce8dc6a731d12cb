"""The notebooks as files: the shared opening, generated badges, links, and nbval's teeth.

nbval itself re-executes every notebook (``python3 tasks.py test`` passes ``--nbval``).
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "scripts" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badges_and_install_lines_come_from_the_one_repository_url(path):
    url = run_notebooks.repository_url()
    assert url.startswith("https://github.com/")
    nb = cells(path)
    text = "\n".join(source(c) for c in nb)
    assert run_notebooks.badges(url, path.name, run_notebooks.NUMPY_ONLY in source(nb[0])) in text
    torch = any("import torch" in source(c) for c in nb if c["cell_type"] == "code")
    assert run_notebooks.install_lines(url, torch) in text
    assert f"/blob/main/notebooks/{path.name}" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_same_opening_and_ending_everywhere(path):
    nb = cells(path)
    first = source(nb[0])
    assert first.startswith("# ") and "**You will learn to**" in first and "**Prerequisites:**" in first
    assert "**Needs:**" in first
    setup_cell = next(c for c in nb if c["cell_type"] == "code")
    assert "setup" in setup_cell["metadata"].get("tags", []) and "setup(seed=" in source(setup_cell)
    headings = [ln for c in nb if c["cell_type"] == "markdown" for ln in source(c).splitlines() if ln.startswith("## ")]
    assert headings[-3:] == ["## Summary", "## Exercises", "## Further reading"]
    assert sum("assert " in source(c) for c in nb if c["cell_type"] == "code") >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_numpy_only_claim_is_true(path):
    nb = cells(path)
    says_numpy_only = "NumPy and matplotlib only" in source(nb[0])
    uses_torch = any(re.search(r"^\s*(import|from) (torch|keras)", source(c), re.M) for c in nb if c["cell_type"] == "code")
    assert says_numpy_only != uses_torch


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_a_clean_top_to_bottom_run(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", source(c)[:80]
            assert "/root/" not in json.dumps(out) and "/home/" not in json.dumps(out)  # no local paths
        assert "execution" not in c["metadata"]  # volatile timings stripped


def _links(markdown):
    return re.findall(r"\]\(([^)\s]+)\)", markdown) + re.findall(r'src="([^"]+)"', markdown)


def _anchor(heading):
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _check_links(markdown, base):
    for link in _links(markdown):
        if re.match(r"[a-z]+:", link) or link.startswith("#"):
            continue
        target, _, anchor = link.partition("#")
        path = (base / target).resolve()
        assert path.exists(), f"broken link {link} in {base}"
        if anchor and path.suffix == ".md":
            anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)}
            assert anchor in anchors, f"missing anchor #{anchor} in {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_in_notebooks_resolve(path):
    for c in cells(path):
        if c["cell_type"] == "markdown":
            _check_links(source(c), path.parent)


@pytest.mark.parametrize("doc", ["README.md", "data/README.md"])
def test_relative_links_and_images_in_docs_resolve(doc):
    _check_links((ROOT / doc).read_text(encoding="utf-8"), (ROOT / doc).parent)


def test_readme_notebook_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert run_notebooks.notebook_table(run_notebooks.repository_url(), NOTEBOOKS) in readme
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme


@pytest.mark.slow
def test_nbval_fails_when_outputs_no_longer_match_the_code(tmp_path):
    """A notebook whose code changed but whose stored output did not must fail the suite."""
    def notebook(code, stored):
        return {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "source": code,
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": stored}]}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "fresh.ipynb").write_text(json.dumps(notebook("print(1 + 1)", "2\n")), encoding="utf-8")
    (tmp_path / "stale.ipynb").write_text(json.dumps(notebook("print(1 + 2)", "2\n")), encoding="utf-8")
    (tmp_path / "timing.ipynb").write_text(json.dumps(notebook("print('took 0.3 s')", "took 1.7 s\n")), encoding="utf-8")
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval",
            "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "notebooks" / "sanitize.cfg"),
            "--rootdir", str(tmp_path)]
    for name, expected in [("fresh", 0), ("timing", 0), ("stale", 1)]:
        result = subprocess.run([*args, str(tmp_path / f"{name}.ipynb")], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == expected, (name, result.stdout[-2000:])


def test_readme_results_are_the_notebook_outputs():
    """Every number quoted in the README's results block appears in notebook 3's committed outputs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- results: numbers from notebooks/03_time_series.ipynb -->")[1].split("<!-- end results -->")[0]
    outputs = "".join("".join(out.get("text", "")) for c in cells(ROOT / "notebooks" / "03_time_series.ipynb")
                      if c["cell_type"] == "code" for out in c["outputs"])
    numbers = re.findall(r"(?<![\w.])\d+\.\d+", block)
    assert len(numbers) >= 15
    for number in numbers:
        assert number in outputs, number


def test_setup_cell_explains_a_failed_install(monkeypatch):
    """On Colab/Kaggle a failed %pip install must end in a message that says what to do."""
    import importlib.util as iu

    block = run_notebooks.install_lines(run_notebooks.repository_url(), True).replace("%pip install", "pass  #")
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    monkeypatch.setattr(iu, "find_spec", lambda name, *a: None)
    with pytest.raises(ModuleNotFoundError, match="switch on Internet in the notebook settings"):
        exec(compile(block, "setup-cell", "exec"), {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_is_the_one_tasks_py_registers(path):
    """Opening a notebook in `tasks.py lab` must not mark it modified."""
    from tasks import KERNEL_DISPLAY_NAME

    spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert spec == {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": "python3"}
