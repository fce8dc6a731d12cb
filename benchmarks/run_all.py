"""Run every benchmark of the project and write one results table.

    python benchmarks/run_all.py [--out benchmarks/results.md] [--no-notebooks]

Each benchmark runs in a fresh process with the test suite's environment (one BLAS/OpenMP
thread, offline: ``tasks.run_env()``): ``bench_step.py``, ``bench_lstm.py`` (when present),
``bench_charlm.py``, ``sweep_charlm.py --seeds 3``, ``sweep_surnames.py --seeds 3`` and
``sweep_time_series.py --quick``. Then every notebook is executed top to bottom in a fresh kernel,
from an in-memory copy (nothing is written, no figure either), and timed. The results file holds a
summary table (speed ratios, share of the matmul peak, quality figures, notebook run times, each
with its goal) followed by each benchmark's own output. About 7 minutes on an idle 2-core machine;
the load average is recorded, since other programs running at the same time slow every wall-clock
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT))
from tasks import run_env  # noqa: E402  (the environment of `python3 tasks.py test`)

NOTEBOOK_SECONDS = 45  # each notebook's budget on a 2-core CPU


def run_script(name: str, *args: str, json_out: bool = True, timeout: int = 900):
    """Run ``benchmarks/<name>``; return (exit status, stdout, results from its --json file or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        command = [sys.executable, str(HERE / name), *args, *(["--json", str(out)] if json_out else [])]
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, env=run_env(), capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
        results = json.loads(out.read_text(encoding="utf-8")) if json_out and out.exists() else None
    text = proc.stdout + (f"\n(stderr)\n{proc.stderr.strip()}\n" if proc.returncode not in (0, 1) else "")
    print(f"{name}: exit {proc.returncode}, {seconds:.0f} s", flush=True)
    return proc.returncode, text, results


def time_notebooks(paths):
    """Wall seconds to execute each notebook in a fresh kernel (or the error that stopped it)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.update(run_env())
    os.environ.pop("RNN_KIT_WRITE_ASSETS", None)  # a copy in memory: no figure is written either
    times = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
            times[path.name] = time.perf_counter() - start
        except Exception as exc:  # a failing notebook is a result too
            times[path.name] = f"failed: {type(exc).__name__}"
        print(f"{path.name}: {times[path.name] if isinstance(times[path.name], str) else f'{times[path.name]:.1f} s'}",
              flush=True)
    return times


def ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def summary_rows(step, lstm_text, charlm, sweep, notebooks, surnames=None):
    rows = []
    if step:
        for case, r in step.items():
            rows.append(("speed", f"bench_step: {case}, NumPy / torch time", f"{r['ratio']:.2f}",
                         f"≤ {r['bar']:.2f}: {ok(r['ratio'] <= r['bar'])}"))
    # bench_lstm prints a block per comparison, each headed by its label ("training step (the bar ...)",
    # "with dx (...)") and holding "clock numpy_ms torch_ms numpy/torch bar" rows; the wall-clock row is
    # quoted and judged, as bench_lstm judges it, on the unrounded ratio of its two times
    labels = {"training step": "training step, weight gradients only", "with dx": "step also returning dx"}
    for head, text in re.findall(r"^(training step|with dx)\b(.*?)(?=^training step\b|^with dx\b|\Z)",
                                 lstm_text or "", re.M | re.S):
        row = re.search(r"^wall\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+([\d.]+|-)", text, re.M)
        if row:
            ratio = float(row[1]) / float(row[2])
            figure = f"bench_lstm: LSTM {labels[head]} (D=64, H=256, N=64, T=100), NumPy / torch time (wall)"
            goal = f"≤ {float(row[3]):.2f}: {ok(ratio <= float(row[3]))}" if row[3] != "-" else "(for information)"
            rows.append(("speed", figure, f"{ratio:.2f}", goal))
    if charlm:
        g, c = charlm["goals_met"], charlm
        rows += [
            ("speed", "bench_charlm: char-LM training step, torch / NumPy time (CPU time)",
             f"{c['training step']['speedup']:.2f}", f"≥ 1.3: {ok(g['speedup_vs_torch'])}"),
            ("speed", "bench_charlm: NumPy loss + gradients, share of the core's float32 matmul rate",
             f"{100 * c['matmul']['share_model']:.0f}% of {c['matmul']['peak_gflops']:.0f} GFLOP/s",
             f"≥ 60%: {ok(g['matmul_share'])}"),
            ("speed", "bench_charlm: characters per second, package / min-char-rnn-style loop (H=256, T=100)",
             f"{c['minchar']['speedup']:.0f}x ({c['minchar']['package_chars_per_s']:,.0f} chars/s)",
             f"≥ 30x: {ok(g['speedup_vs_minchar'])}"),
            ("speed", "bench_charlm: sampling 1,000 characters (H=256)", f"{c['sample_1000_s']:.3f} s",
             f"< 0.1 s: {ok(g['sample_1000_s'])}"),
        ]
    if sweep:
        import numpy as np

        bits = sweep["bits_per_character"]
        for name, values in bits.items():
            rows.append(("quality", f"sweep_charlm: {name}, validation bits/char after {sweep['steps']} steps",
                         f"{np.mean(values):.3f} ± {np.std(values):.3f} ({sweep['seeds']} seeds)", ""))
    if surnames:
        nb = surnames["naive_bayes"]
        rows.append(("quality", "sweep_surnames: n-gram naive Bayes (notebook 7's), validation / test accuracy",
                     f"{nb['validation']:.3f} / {nb['test']:.3f}", ""))
        for name, r in surnames["models"].items():
            val, (d, low, high) = r["accuracy"]["validation"], r["ensemble_minus_nb"]["validation"]
            ahead = sum(v > nb["validation"] for v in val)
            rows.append(("quality", f"sweep_surnames: {name}, validation accuracy over seeds; the ensemble of the "
                         "seeds (validation / test) and its accuracy minus naive Bayes's on validation (95% paired "
                         "bootstrap)",
                         f"{sum(val) / len(val):.3f} (best {max(val):.3f}, {surnames['seeds']} seeds); ensemble "
                         f"{r['ensemble']['validation']:.3f} / {r['ensemble']['test']:.3f}, "
                         f"{d:+.3f} ({low:+.3f} to {high:+.3f})",
                         f"(for information) seeds ahead of naive Bayes on validation: {ahead} of {len(val)}"))
    for name, seconds in notebooks.items():
        if isinstance(seconds, str):
            rows.append(("notebook", f"{name} run time", seconds, f"≤ {NOTEBOOK_SECONDS} s: **missed**"))
        else:
            rows.append(("notebook", f"{name} run time", f"{seconds:.0f} s",
                         f"≤ {NOTEBOOK_SECONDS} s: {ok(seconds <= NOTEBOOK_SECONDS)}"))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results.md"), help="where to write the table (markdown)")
    parser.add_argument("--no-notebooks", action="store_true", help="skip timing the notebooks")
    args = parser.parse_args(argv)
    load_before, started = os.getloadavg(), time.perf_counter()
    sections = []

    code, text, step = run_script("bench_step.py")
    sections.append(("bench_step.py", text))
    lstm_text = None
    if (HERE / "bench_lstm.py").exists():
        code, lstm_text, _ = run_script("bench_lstm.py", json_out=False)
        sections.append(("bench_lstm.py", lstm_text))
    code, text, charlm = run_script("bench_charlm.py")
    sections.append(("bench_charlm.py", text))
    code, text, sweep = run_script("sweep_charlm.py", "--seeds", "3")
    sections.append(("sweep_charlm.py --seeds 3", text))
    code, text, surnames = run_script("sweep_surnames.py", "--seeds", "3")
    sections.append(("sweep_surnames.py --seeds 3", text))
    code, text, _ = run_script("sweep_time_series.py", "--quick", json_out=False)
    sections.append(("sweep_time_series.py --quick", text))
    notebooks = {} if args.no_notebooks else time_notebooks(sorted((ROOT / "notebooks").glob("*.ipynb")))

    minutes, load_after = (time.perf_counter() - started) / 60, os.getloadavg()[0]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run_all.py` in {minutes:.1f} minutes: Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, one thread per benchmark; load average "
        f"{load_before[0]:.1f} at the start and {load_after:.1f} at the end"
        + (" (above the core count: other programs were running and slowed the wall-clock figures)."
           if max(load_before[0], load_after) > (os.cpu_count() or 1) else "."),
        "",
        "| kind | figure | value | goal |",
        "|---|---|---|---|",
        *(f"| {kind} | {figure} | {value} | {goal} |" for kind, figure, value, goal in
          summary_rows(step, lstm_text, charlm, sweep, notebooks, surnames)),
    ]
    for title, text in sections:
        lines += ["", f"## {title}", "", "```", text.strip(), "```"]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
