"""The unit tables checked against the update rules themselves, numerically.

Each library's update rule is written out in numpy (following the library's code), run on one
physical problem written in two unit systems — parameters rescaled per group by ``a_g`` and the
loss by ``c`` — with every hyperparameter converted by the factor its *table entry* states
(a_g^theta · c^loss). The stated units are right exactly when the two runs give the same
physical iterates; converting one hyperparameter with other units breaks the agreement.
"""

from fractions import Fraction

import numpy as np
import pytest

from unitdescent.dims import DIMENSIONLESS, GRADIENT, PARAM, SGD_LR, Dim
from unitdescent.lint.tables import GRADIENT_SQ, INV_PARAM, lookup

# ---------------------------------------------------------------- the problem, in two unit systems
SIZES = (3, 2)  # two parameter groups, e.g. metres and seconds
RNG = np.random.default_rng(7)
_M = RNG.normal(size=(5, 5))
HESS = _M @ _M.T + 5 * np.eye(5)  # [L]/([θ_i][θ_j]) in system A
TARGET = RNG.normal(size=5)
X0 = TARGET + RNG.normal(size=5)
GROUP = np.repeat(np.arange(len(SIZES)), SIZES)  # group of each entry


def loss_grad_a(x):
    r = x - TARGET
    f = 0.5 * r @ HESS @ r + 0.1 * np.sum(r ** 4)  # a quartic term: not a pure quadratic
    return f, HESS @ r + 0.4 * r ** 3


class System:
    """The same problem with parameters scaled by ``a`` (per group) and the loss by ``c``."""

    def __init__(self, a, c):
        self.a = np.asarray(a, float)[GROUP]
        self.c = float(c)

    def loss_grad(self, x):
        f, g = loss_grad_a(x / self.a)
        return self.c * f, self.c * g / self.a

    def scale(self, dim):
        """The factor a_g^θ · c^L converting a value with units ``dim`` into this system."""
        return self.a ** float(Fraction(dim.theta)) * self.c ** float(Fraction(dim.loss))


A = System((1.0, 1.0), 1.0)
B = System((100.0, 1 / 60), 1e3)  # e.g. m → cm, s → min, J → mJ


def convert(spec_name, hypers, system, wrong=None):
    """Hyperparameters in ``system``, converted by the units the table states for each."""
    spec = lookup(spec_name)
    options = {h.name: h.default for h in spec.hypers}
    options.update({k: v for k, v in hypers.items() if isinstance(v, (bool, str))})
    out = {}
    for name, value in hypers.items():
        h = spec.hyper(name)
        assert h is not None, f"{spec_name} has no {name} in its table"
        if isinstance(value, (bool, str)) or value is None:
            out[name] = value
            continue
        dim = wrong[1] if wrong and wrong[0] == name else h.dim_for(options)
        assert isinstance(dim, Dim), f"{spec_name} {name}: no single units"
        factor = system.scale(dim)
        if isinstance(value, tuple):
            out[name] = tuple(v * factor for v in value)
        else:
            out[name] = np.asarray(value, float) * factor
    return out


def per_group(*values):
    return np.asarray(values, float)[GROUP]


# ---------------------------------------------------------------- reference update rules (numpy)
def torch_sgd(x, loss_grad, n, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
              nesterov=False):
    xs, buf = [x.copy()], None
    for _ in range(n):
        g = loss_grad(x)[1] + weight_decay * x
        if np.any(momentum):
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        x = x - lr * g
        xs.append(x)
    return np.array(xs)


def torch_adam(x, loss_grad, n, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               decoupled=False):
    b1, b2 = betas
    m = v = np.zeros_like(x)
    xs = [x.copy()]
    for t in range(1, n + 1):
        g = loss_grad(x)[1]
        if decoupled:  # AdamW: param.mul_(1 - lr * weight_decay)
            x = x * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
        x = x - lr / (1 - b1 ** t) * m / denom
        xs.append(x)
    return np.array(xs)


def torch_adamw(x, loss_grad, n, **kw):
    return torch_adam(x, loss_grad, n, decoupled=True, **kw)


def torch_rmsprop(x, loss_grad, n, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                  centered=False):
    v = gavg = buf = np.zeros_like(x)
    xs = [x.copy()]
    for _ in range(n):
        g = loss_grad(x)[1] + weight_decay * x
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gavg = alpha * gavg + (1 - alpha) * g
            avg = np.sqrt(v - gavg * gavg) + eps
        else:
            avg = np.sqrt(v) + eps
        if np.any(momentum):
            buf = momentum * buf + g / avg
            x = x - lr * buf
        else:
            x = x - lr * g / avg
        xs.append(x)
    return np.array(xs)


def optax_rmsprop(x, loss_grad, n, learning_rate, decay=0.9, eps=1e-8, initial_scale=0.0,
                  eps_in_sqrt=True, momentum=None):
    nu = np.zeros_like(x) + initial_scale
    tr = np.zeros_like(x)
    xs = [x.copy()]
    for _ in range(n):
        g = loss_grad(x)[1]
        nu = decay * nu + (1 - decay) * g * g
        u = g / np.sqrt(nu + eps) if eps_in_sqrt else g / (np.sqrt(nu) + eps)
        if momentum is not None:
            tr = u + momentum * tr
            u = tr
        x = x - learning_rate * u
        xs.append(x)
    return np.array(xs)


def torch_adagrad(x, loss_grad, n, lr, lr_decay=0.0, weight_decay=0.0,
                  initial_accumulator_value=0.0, eps=1e-10):
    s = np.zeros_like(x) + initial_accumulator_value
    xs = [x.copy()]
    for step in range(1, n + 1):
        g = loss_grad(x)[1] + weight_decay * x
        clr = lr / (1 + (step - 1) * lr_decay)
        s = s + g * g
        x = x - clr * g / (np.sqrt(s) + eps)
        xs.append(x)
    return np.array(xs)


def optax_adagrad(x, loss_grad, n, learning_rate, initial_accumulator_value=0.1, eps=1e-7):
    s = np.zeros_like(x) + initial_accumulator_value
    xs = [x.copy()]
    for _ in range(n):
        g = loss_grad(x)[1]
        s = s + g * g
        u = np.where(s > 0, g / np.sqrt(s + eps), 0.0)
        x = x - learning_rate * u
        xs.append(x)
    return np.array(xs)


# typical gradient size per group in system A, to give eps-like values that matter
G0 = np.abs(loss_grad_a(X0)[1])
GS = per_group(G0[:3].mean(), G0[3:].mean())

CASES = [
    ("torch.optim.SGD", torch_sgd,
     dict(lr=per_group(0.02, 0.01), momentum=0.8, dampening=0.1,
          weight_decay=per_group(0.3, 0.2)), "lr", PARAM),
    ("torch.optim.SGD", torch_sgd,
     dict(lr=per_group(0.02, 0.01), momentum=0.8, nesterov=True), "momentum", GRADIENT),
    ("torch.optim.Adam", torch_adam,
     dict(lr=per_group(0.05, 0.03), betas=(0.9, 0.99), eps=0.3 * GS,
          weight_decay=per_group(0.5, 0.1)), "eps", DIMENSIONLESS),
    ("torch.optim.Adam", torch_adam,
     dict(lr=per_group(0.05, 0.03), eps=0.3 * GS), "lr", SGD_LR),
    ("torch.optim.AdamW", torch_adamw,
     dict(lr=per_group(0.05, 0.03), betas=(0.9, 0.99), eps=0.3 * GS,
          weight_decay=per_group(2.0, 3.0)), "weight_decay", Dim(-2, 1)),
    ("torch.optim.RMSprop", torch_rmsprop,
     dict(lr=per_group(0.02, 0.01), alpha=0.9, eps=0.3 * GS, momentum=0.5,
          weight_decay=per_group(0.2, 0.1), centered=True), "eps", GRADIENT_SQ),
    ("optax.rmsprop", optax_rmsprop,
     dict(learning_rate=per_group(0.02, 0.01), decay=0.9, eps=0.1 * GS ** 2,
          initial_scale=0.5 * GS ** 2, momentum=0.5), "eps", GRADIENT),
    ("optax.rmsprop", optax_rmsprop,
     dict(learning_rate=per_group(0.02, 0.01), decay=0.9, eps=0.3 * GS, eps_in_sqrt=False),
     "eps", GRADIENT_SQ),
    ("torch.optim.Adagrad", torch_adagrad,
     dict(lr=per_group(0.3, 0.2), lr_decay=0.05, weight_decay=per_group(0.2, 0.1),
          initial_accumulator_value=GS ** 2, eps=0.3 * GS), "initial_accumulator_value",
     GRADIENT),
    ("optax.adagrad", optax_adagrad,
     dict(learning_rate=per_group(0.3, 0.2), initial_accumulator_value=GS ** 2,
          eps=0.5 * GS ** 2), "eps", GRADIENT),
]


def physical(xs, system):
    return xs / system.a


@pytest.mark.parametrize("name, rule, hypers, key, wrong", CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_table_units_make_the_update_rule_invariant(name, rule, hypers, key, wrong):
    n = 30
    runs = {}
    for label, system in (("A", A), ("B", B)):
        hp = convert(name, hypers, system)
        runs[label] = physical(rule(X0 * system.a, system.loss_grad, n, **hp), system)
    assert np.all(np.isfinite(runs["A"]))
    assert np.max(np.abs(runs["A"][-1] - runs["A"][0])) > 1e-2  # the run really moves
    np.testing.assert_allclose(runs["B"], runs["A"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name, rule, hypers, key, wrong", CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_other_units_for_one_hyperparameter_break_invariance(name, rule, hypers, key, wrong):
    n = 30
    base = physical(rule(X0, A.loss_grad, n, **convert(name, hypers, A)), A)
    hp = convert(name, hypers, B, wrong=(key, wrong))
    with np.errstate(all="ignore"):  # a wrong lr may well diverge
        other = physical(rule(X0 * B.a, B.loss_grad, n, **hp), B)
        deviation = np.max(np.abs(other - base))
    assert not np.isfinite(deviation) or deviation > 1e-3


def test_engine_rules_share_the_tables_units():
    """torch.optim.SGD's and Adam's entries are the engine's declared signatures."""
    from unitdescent.rules import METHODS

    assert lookup("torch.optim.SGD").hyper("lr").dim is METHODS["gd"].signature["lr"]
    assert lookup("torch.optim.SGD").hyper("momentum").dim is METHODS["momentum"].signature["beta"]
    assert lookup("torch.optim.Adam").hyper("lr").dim is METHODS["adam"].signature["lr"]
    assert lookup("torch.optim.Adam").hyper("eps").dim is METHODS["adam"].signature["eps"]
    assert lookup("torch.optim.AdamW").hyper("weight_decay").dim == INV_PARAM


# ---------------------------------------------------------------- clip_grad_norm_
def clip_grad_norm(g, max_norm, norm_type=2.0, eps=1e-6):
    """torch.nn.utils.clip_grad_norm_: g·min(1, max_norm/(‖g‖ + 1e-6))."""
    total = np.linalg.norm(g, ord=norm_type)
    coef = max_norm / (total + eps)
    return g * min(coef, 1.0)


def test_clip_grad_norm_max_norm_has_gradient_units():
    spec = lookup("torch.nn.utils.clip_grad_norm_")
    dim = spec.hyper("max_norm").dim
    assert dim == GRADIENT
    one_a, one_c = 100.0, 1e3  # a single group: all parameters rescaled alike
    g = loss_grad_a(X0)[1]
    max_norm = 0.3 * np.linalg.norm(g)  # clipping is active
    clipped = clip_grad_norm(g, max_norm)
    factor = one_a ** float(dim.theta) * one_c ** float(dim.loss)  # c/a
    g_b = one_c * g / one_a
    # torch's hard-coded 1e-6 is itself a gradient: converted, invariance is exact ...
    exact = clip_grad_norm(g_b, max_norm * factor, eps=1e-6 * factor)
    np.testing.assert_allclose(exact, clipped * one_c / one_a, rtol=1e-12)
    # ... left as it is (UD302), it perturbs the result slightly, in a units-dependent way
    approx = clip_grad_norm(g_b, max_norm * factor)
    np.testing.assert_allclose(approx, clipped * one_c / one_a, rtol=1e-4)
    # max_norm given as if dimensionless: the clipped gradient is another physical vector
    wrong = clip_grad_norm(g_b, max_norm)
    assert np.max(np.abs(wrong - clipped * one_c / one_a)) > 1e-3 * np.max(np.abs(g_b))


def test_clip_grad_norm_over_mixed_units_has_no_consistent_max_norm():
    """With groups in different units no conversion of one max_norm is invariant (UD106)."""
    g = loss_grad_a(X0)[1]
    max_norm = 0.3 * np.linalg.norm(g)
    expected = clip_grad_norm(g, max_norm, eps=0) * B.c / B.a  # physical result, in B's units
    g_b = B.loss_grad(X0 * B.a)[1]
    for factor in set(B.c / B.a):  # the factor of either group
        got = clip_grad_norm(g_b, max_norm * factor, eps=0)
        assert np.max(np.abs(got / expected - 1)) > 1e-2
    # clipping each group separately, with its own converted max_norm, is invariant
    per = [clip_grad_norm(g[GROUP == k], max_norm, eps=0) for k in range(2)]
    got = [clip_grad_norm(g_b[GROUP == k], max_norm * (B.c / B.a)[GROUP == k][0], eps=0)
           for k in range(2)]
    for p, q, k in zip(per, got, range(2)):
        np.testing.assert_allclose(q, p * (B.c / B.a)[GROUP == k], rtol=1e-12)


# ---------------------------------------------------------------- torch LBFGS
def torch_lbfgs(x, loss_grad, lr=1.0, max_iter=20, tolerance_grad=1e-7, tolerance_change=1e-9,
                history_size=100, first=None):
    """torch.optim.LBFGS.step without line search; ``first`` replaces the first step's t.

    Returns the iterates and the reason it stopped.
    """
    f, g = loss_grad(x)
    xs = [x.copy()]
    if np.max(np.abs(g)) <= tolerance_grad:
        return np.array(xs), "grad"
    dirs, steps, ros = [], [], []
    d = t = prev_g = None
    h_diag = 1.0
    for n_iter in range(1, max_iter + 1):
        if n_iter == 1:
            d = -g
        else:
            y = g - prev_g
            s = d * t
            ys = y @ s
            if ys > 1e-10:
                if len(dirs) == history_size:
                    dirs.pop(0), steps.pop(0), ros.pop(0)
                dirs.append(y), steps.append(s), ros.append(1.0 / ys)
                h_diag = ys / (y @ y)
            q = -g
            al = [0.0] * len(dirs)
            for i in range(len(dirs) - 1, -1, -1):
                al[i] = (steps[i] @ q) * ros[i]
                q = q - al[i] * dirs[i]
            r = q * h_diag
            for i in range(len(dirs)):
                be = (dirs[i] @ r) * ros[i]
                r = r + steps[i] * (al[i] - be)
            d = r
        prev_g, prev_f = g.copy(), f
        if n_iter == 1:
            t = first if first is not None else min(1.0, 1.0 / np.sum(np.abs(g))) * lr
        else:
            t = lr
        if g @ d > -tolerance_change:
            return np.array(xs), "gtd"
        x = x + t * d
        f, g = loss_grad(x)
        xs.append(x.copy())
        if n_iter == max_iter:
            return np.array(xs), "max_iter"
        if np.max(np.abs(g)) <= tolerance_grad:
            return np.array(xs), "grad"
        if np.max(np.abs(d * t)) <= tolerance_change:
            return np.array(xs), "step"
        if abs(f - prev_f) < tolerance_change:
            return np.array(xs), "loss"
    return np.array(xs), "max_iter"


# LBFGS has one parameter group: one unit system for all parameters
A1, B1 = System((1.0, 1.0), 1.0), System((100.0, 100.0), 1e3)


def test_lbfgs_lr_is_dimensionless_after_the_first_step():
    spec = lookup("torch.optim.LBFGS")
    lr = spec.hyper("lr")
    assert lr.dim == DIMENSIONLESS and lr.issue == "UD202"
    # a first step in consistent units ([θ]²/[L], converted) — then lr as the table says
    tau = 0.05
    runs = []
    for s in (A1, B1):
        xs, _ = torch_lbfgs(X0 * s.a, s.loss_grad, lr=0.7, max_iter=12, tolerance_grad=0,
                            tolerance_change=0, first=tau * s.scale(SGD_LR)[0])
        runs.append(physical(xs, s))
    assert runs[0].shape == runs[1].shape == (13, 5)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-8, atol=1e-12)
    assert np.linalg.norm(runs[0][-1] - TARGET) < 1e-2 * np.linalg.norm(X0 - TARGET)


def test_lbfgs_first_step_is_regime_dependent():
    """torch's own first step, t = min(1, 1/‖g‖₁)·lr, is not invariant (UD202)."""
    runs = []
    for s in (A1, B1):
        xs, _ = torch_lbfgs(X0 * s.a, s.loss_grad, lr=1.0, max_iter=3, tolerance_grad=0,
                            tolerance_change=0)
        runs.append(physical(xs, s))
    assert np.max(np.abs(runs[1][1] - runs[0][1])) > 1e-3


def test_lbfgs_tolerance_grad_has_gradient_units():
    spec = lookup("torch.optim.LBFGS")
    dim = spec.hyper("tolerance_grad").dim
    assert dim == GRADIENT
    tol_a = 1e-3 * np.max(np.abs(loss_grad_a(X0)[1]))
    runs = {}
    for label, s, tol in (("A", A1, tol_a), ("B", B1, tol_a * B1.scale(dim)[0]),
                          ("B-bare", B1, tol_a)):
        xs, why = torch_lbfgs(X0 * s.a, s.loss_grad, lr=1.0, max_iter=50,
                              tolerance_grad=tol, tolerance_change=0,
                              first=0.05 * s.scale(SGD_LR)[0])
        runs[label] = (len(xs), why)
    assert runs["A"][1] == "grad" and runs["A"] == runs["B"]
    assert runs["B-bare"] != runs["A"]


def test_lbfgs_tolerance_change_is_compared_in_two_units():
    """The step test scales with [θ], the loss test with [L]: no single conversion fits."""
    h = lookup("torch.optim.LBFGS").hyper("tolerance_change")
    assert h.dim is None and set(h.also) == {PARAM, Dim(0, 1)} and h.issue == "UD203"
    xs = {}
    for s in (A1, B1):
        xs[s] = torch_lbfgs(X0 * s.a, s.loss_grad, lr=1.0, max_iter=6, tolerance_grad=0,
                            tolerance_change=0, first=0.05 * s.scale(SGD_LR)[0])[0]
    step_ratio = np.max(np.abs(np.diff(xs[B1], axis=0)), axis=1) / \
        np.max(np.abs(np.diff(xs[A1], axis=0)), axis=1)
    fa = np.array([A1.loss_grad(x)[0] for x in xs[A1]])
    fb = np.array([B1.loss_grad(x)[0] for x in xs[B1]])
    loss_ratio = np.abs(np.diff(fb)) / np.abs(np.diff(fa))
    np.testing.assert_allclose(step_ratio, B1.scale(PARAM)[0], rtol=1e-8)
    np.testing.assert_allclose(loss_ratio, B1.c, rtol=1e-6)
    assert abs(B1.scale(PARAM)[0] / B1.c - 1) > 0.5
