"""How long can each cell remember? Delayed-recall accuracy for every cell x hidden size x delay x seed.

Each run is ``rnn_kit.diagnostics.train_on_memory_task``: an ``RNNModel(cell=..., head="last")``
with the package's default initialisation and an 8-dimensional embedding reads sequences
``[key, noise x (delay - 1), query]`` (8 keys, 8 noise ids, chance 1/8), trained with Adam
(lr 0.03) for 1000 steps on fresh batches of 32, gradients clipped to global norm 1, and
scored on 1000 held-out sequences. Everything is seeded, and training is budgeted in steps,
so a rerun on the same CPU writes the same file. (In the checks we ran, runs that succeed replay
exactly on other BLAS kernels too; a run that fails stalls on a plateau, and which poor accuracy it
ends at can change with the kernel's rounding.)

Besides the package's default initialisation for every cell, hidden size 16 is also run with
three remedies: the IRNN (vanilla RNN, relu, W_hh = I), every weight x0.01 (vanilla RNN, tanh),
and the LSTM with forget-gate bias 3.

    OMP_NUM_THREADS=1 python benchmarks/memory_capacity.py    # the full grid -> data/memory_capacity.csv
    python benchmarks/memory_capacity.py --seeds 1 --out /tmp/grid.csv --cells rnn --hidden 16 --no-remedies

Writes one row per run (see ``rnn_kit.data.memory_tasks.MEMORY_CAPACITY_COLUMNS``) and prints
the mean accuracy over seeds per cell, initialisation, hidden size and delay as a markdown table.
The full grid (3 cells x 3 hidden sizes x 8 delays x 5 seeds = 360 runs, plus 3 x 8 x 5 = 120 with
the remedies) takes about 12 minutes of one core (739 s of CPU measured on the 2-core development machine).
"""

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from rnn_kit.data.memory_tasks import MEMORY_CAPACITY_COLUMNS
from rnn_kit.diagnostics import forget_gate_bias, identity_recurrence, scale_weights, train_on_memory_task

ROOT = Path(__file__).resolve().parents[1]
CELLS, HIDDEN, DELAYS = ("rnn", "lstm", "gru"), (4, 16, 32), (1, 3, 5, 7, 10, 20, 50, 100)
PROTOCOL = {"steps": 1000, "batch_size": 32, "lr": 0.03, "max_norm": 1.0, "n_test": 1000}
# name -> (cell, nonlinearity, init): run at hidden size 16 besides the default grid
REMEDIES = {"identity": ("rnn", "relu", identity_recurrence), "x0.01": ("rnn", "tanh", scale_weights(0.01)),
            "forget-bias-3": ("lstm", "tanh", forget_gate_bias(3.0))}
REMEDY_HIDDEN = 16


def run_cells(cell, init_name, nonlinearity, init, hidden, delays, seeds, rows, start):
    """Train every (hidden size, delay, seed) of one cell and initialisation; append the rows."""
    for H in hidden:
        for delay in delays:
            for seed in range(seeds):
                run = train_on_memory_task(cell, H, delay, nonlinearity=nonlinearity, init=init, seed=seed, **PROTOCOL)
                rows.append({"cell": cell, "init": init_name, "nonlinearity": nonlinearity, "hidden_size": H,
                             "delay": delay, "seed": seed, "accuracy": f"{run.accuracy:.3f}", **PROTOCOL})
            accs = [float(r["accuracy"]) for r in rows[-seeds:]]
            print(f"{cell} ({init_name}) H={H} delay={delay}: mean accuracy {np.mean(accs):.3f} {accs} "
                  f"({time.process_time() - start:.0f} s CPU so far)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cells", default=",".join(CELLS))
    parser.add_argument("--hidden", default=",".join(map(str, HIDDEN)))
    parser.add_argument("--delays", default=",".join(map(str, DELAYS)))
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "memory_capacity.csv")
    parser.add_argument("--no-remedies", action="store_true", help="only the default initialisation")
    args = parser.parse_args()
    cells, hidden = args.cells.split(","), [int(h) for h in args.hidden.split(",")]
    delays = [int(d) for d in args.delays.split(",")]
    rows, start = [], time.process_time()
    for cell in cells:
        run_cells(cell, "default", "tanh", None, hidden, delays, args.seeds, rows, start)
    for name, (cell, nonlinearity, init) in ({} if args.no_remedies else REMEDIES).items():
        if cell in cells:
            run_cells(cell, name, nonlinearity, init, [REMEDY_HIDDEN], delays, args.seeds, rows, start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=MEMORY_CAPACITY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"\nwrote {len(rows)} runs to {args.out} in {time.process_time() - start:.0f} s of CPU\n")
    print("| cell | initialisation | hidden | " + " | ".join(f"delay {d}" for d in delays) + " |")
    print("|---|---|---|" + "---|" * len(delays))
    groups = dict.fromkeys((r["cell"], r["init"], r["hidden_size"]) for r in rows)
    for cell, init, H in groups:
        means = [np.mean([float(r["accuracy"]) for r in rows
                          if (r["cell"], r["init"], r["hidden_size"], r["delay"]) == (cell, init, H, d)])
                 for d in delays]
        print(f"| {cell} | {init} | {H} | " + " | ".join(f"{m:.3f}" for m in means) + " |")


if __name__ == "__main__":
    main()
