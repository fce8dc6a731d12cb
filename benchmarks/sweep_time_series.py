"""The full version of notebook 3's experiment table: one factor at a time, several seeds.

Noisy sine (sigma = 0.1, 40 samples a period, 3000 samples, 70/15/15 chronological split,
scaler fitted on the training part), a Forecaster trained with Adam 1e-3, batch 32, at most
30 epochs with early stopping (patience 10) and the best checkpoint restored. Prints test
MSE / sigma^2 (mean and spread over seeds), parameters and training time.

    python benchmarks/sweep_time_series.py [--seeds 3] [--epochs 30] [--quick]

``--quick`` runs one seed (about a minute; ``benchmarks/run_all.py`` uses it).
"""

import argparse
import time

import numpy as np
import torch

from rnn_kit.data import StandardScaler, chronological_split, make_windows, mse, sine_wave
from rnn_kit.torch.data import make_loader
from rnn_kit.torch.models import Forecaster, count_parameters
from rnn_kit.torch.train import fit, predict

SIGMA = 0.1
DEFAULT = {"window": 20, "hidden": 50, "layers": 1, "cell": "rnn"}
FACTORS = {"window": [5, 10, 20, 30], "hidden": [8, 16, 50, 100], "layers": [1, 2], "cell": ["rnn", "lstm", "gru"]}


def run(window, hidden, layers, cell, seed, epochs):
    _, series = sine_wave(3000, dt=2 * np.pi / 40, noise_std=SIGMA, rng=seed)
    split = chronological_split(series)
    scaler = StandardScaler().fit(split.train)
    parts = []
    for part in split[:3]:
        X, y = make_windows(scaler.transform(part), window)
        parts.append((X.astype(np.float32), y.astype(np.float32)))
    torch.manual_seed(seed)
    model = Forecaster(1, hidden, 1, cell=cell, num_layers=layers)
    start = time.perf_counter()
    fit(model, make_loader(*parts[0], batch_size=32, shuffle=True, seed=seed), make_loader(*parts[1], batch_size=512),
        epochs=epochs, lr=1e-3, patience=10)
    seconds = time.perf_counter() - start
    test = mse(scaler.inverse_transform(parts[2][1]), scaler.inverse_transform(predict(model, parts[2][0])))
    return test / SIGMA**2, count_parameters(model), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="one seed only")
    args = parser.parse_args()
    if args.quick:
        args.seeds = 1
    torch.set_num_threads(1)
    seeds = f"{args.seeds} seed{'s' if args.seeds > 1 else ''}"
    print(f"| setting | test MSE / sigma^2 (mean ± sd over {seeds}) | parameters | seconds to train |")
    print("|---|---|---|---|")
    for factor, values in FACTORS.items():
        for value in values:
            setting = {**DEFAULT, factor: value}
            runs = [run(**setting, seed=s, epochs=args.epochs) for s in range(args.seeds)]
            ratios = [r[0] for r in runs]
            print(f"| {factor}={value} | {np.mean(ratios):.3f} ± {np.std(ratios):.3f} | {runs[0][1]} | "
                  f"{np.mean([r[2] for r in runs]):.1f} |", flush=True)


if __name__ == "__main__":
    main()
