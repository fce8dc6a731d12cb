"""optim.py: update rules against torch.optim (skipped without torch), and clipping (NumPy only)."""

import numpy as np
import pytest

from rnn_kit import SGD, Adagrad, Adam, clip_grad_norm, clip_grad_value, global_norm


def _run_both(make_ours, torch_name, torch_kwargs, rng, steps=5):
    """Run one of ours and torch.optim.<torch_name> on the same gradients; they must agree."""
    p0 = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p0.items()} for _ in range(steps)]
    ours = {k: v.copy() for k, v in p0.items()}
    opt = make_ours(ours)
    torch = pytest.importorskip("torch")
    theirs = {k: torch.tensor(v, requires_grad=True) for k, v in p0.items()}
    topt = getattr(torch.optim, torch_name)(list(theirs.values()), **torch_kwargs)
    for g in grads:
        opt.step({k: v.copy() for k, v in g.items()})
        for k, t in theirs.items():
            t.grad = torch.tensor(g[k])
        topt.step()
    for k in p0:
        np.testing.assert_allclose(ours[k], theirs[k].detach().numpy(), rtol=1e-12, atol=1e-12)


def test_sgd_momentum_matches_torch(rng):
    # torch's momentum scales the lr after the velocity; with dampening 0 the iterates agree.
    _run_both(lambda p: SGD(p, lr=0.1, momentum=0.9), "SGD", {"lr": 0.1, "momentum": 0.9}, rng)


def test_plain_sgd_matches_torch(rng):
    _run_both(lambda p: SGD(p, lr=0.05), "SGD", {"lr": 0.05}, rng)


def test_adagrad_matches_torch(rng):
    _run_both(lambda p: Adagrad(p, lr=0.1, eps=1e-10), "Adagrad", {"lr": 0.1, "eps": 1e-10}, rng)


def test_adam_matches_torch(rng):
    _run_both(lambda p: Adam(p, lr=0.01), "Adam", {"lr": 0.01}, rng)


def test_clip_grad_norm_returns_norm_before_and_scales_together():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    norm = clip_grad_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    small = {"a": np.array([0.1])}
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.1) and small["a"][0] == 0.1


def test_clip_grad_value_is_element_wise():
    grads = {"a": np.array([-7.0, 0.5, 9.0])}
    clip_grad_value(grads, 5.0)
    np.testing.assert_array_equal(grads["a"], [-5.0, 0.5, 5.0])


def test_optimisers_reject_bad_input():
    params = {"W": np.zeros(2)}
    with pytest.raises(ValueError, match=r"lr must be > 0, got -0.1"):
        SGD(params, lr=-0.1)
    with pytest.raises(TypeError, match=r"params must be a non-empty dict"):
        Adam([np.zeros(2)])
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1.5"):
        SGD(params, momentum=1.5)
    opt = Adam(params)
    with pytest.raises(ValueError, match=r"grads must have the keys \['W'\], got \['V'\]"):
        opt.step({"V": np.zeros(2)})
    with pytest.raises(ValueError, match=r"grads\['W'\] must have shape \(2,\), got \(3,\)"):
        opt.step({"W": np.zeros(3)})
    with pytest.raises(ValueError, match=r"grads\['W'\] holds NaN or inf"):
        opt.step({"W": np.array([np.nan, 0.0])})
    np.testing.assert_array_equal(params["W"], 0)  # nothing was updated half-way
    with pytest.raises(ValueError, match=r"max_norm must be > 0"):
        clip_grad_norm({"W": np.ones(2)}, 0)
    with pytest.raises(ValueError, match=r"grads\[.W.\] holds NaN or inf; clipping cannot repair them"):
        clip_grad_norm({"W": np.array([np.inf])}, 1.0)


@pytest.mark.parametrize("make", [SGD, Adagrad, Adam])
def test_every_optimiser_rejects_lr_zero_and_bad_params(make):
    with pytest.raises(ValueError, match=r"lr must be > 0, got 0"):
        make({"W": np.zeros(2)}, lr=0)
    with pytest.raises(ValueError, match=r"params\['W'\] holds NaN or inf"):
        make({"W": np.array([0.0, np.nan])})
    with pytest.raises(TypeError, match=r"params must be a non-empty dict of arrays, e.g. model.params, got list"):
        make([np.zeros(2)])
    with pytest.raises(TypeError, match=r"params\['W'\] must be a writable floating ndarray .* got dtype int64"):
        make({"W": np.zeros(2, dtype=np.int64)})


def test_betas_and_clipping_arguments_are_checked():
    with pytest.raises(TypeError, match=r"betas must be a sequence of 2 numbers, got float"):
        Adam({"W": np.zeros(2)}, betas=0.9)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\), got 1.0"):
        Adam({"W": np.zeros(2)}, betas=(0.9, 1.0))
    with pytest.raises(TypeError, match=r"grads must be a non-empty dict of arrays, e.g. model.params, got list"):
        clip_grad_norm([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match=r"grads must be a non-empty dict"):
        clip_grad_value([np.ones(2)], 1.0)
    with pytest.raises(ValueError, match=r"grads\['W'\] holds NaN or inf; clipping cannot repair them"):
        clip_grad_value({"W": np.array([np.inf])}, 1.0)
