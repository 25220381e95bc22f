"""Engine overhead: unitdescent's gd / momentum / adam (fast path) vs a hand-written numpy loop.

Both sides do the same arithmetic on the same float arrays for the same number of iterations:
evaluate the loss and gradient, apply the rule, and (in the "with stopping test" rows) test
every step entry against a relative tolerance. The engine's extra work — the stepper protocol,
bookkeeping, the loss history — is what the ratio measures. Units are checked once, at set-up,
which is included in the engine's time.

Run: python benchmarks/overhead.py [--quick]
Targets (issue 2): ratio ≤ 1.2 at n = 10⁶; per-iteration overhead ≤ 20 µs at n = 10.
"""

import argparse
import time

import numpy as np

import unitdescent as ud

Q_ = ud.ureg.Quantity


def problem(n, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.5, 2.0, n)  # curvatures, 1/m² for a dimensionless loss over lengths in m
    x0 = rng.uniform(-1.0, 1.0, n)

    def f(x):
        return 0.5 * float(np.dot(c, x * x))

    def g(x):
        return c * x

    return c, x0, f, g


def hand_loop(rule, x0, f, g, iters, lr, stop_test):
    """What a careful person writes by hand for the same rule."""
    x = x0.copy()
    fx, gx = f(x), g(x)
    losses = [fx]
    typ = np.abs(x0)

    def steps_are_small(x_new, x):  # the engine's xtol_rel test, written out in full
        return np.all(np.abs(x_new - x) <= 1e-300 * np.maximum(np.abs(x_new), typ))

    if rule == "gd":
        for _ in range(iters):
            x_new = x + (-lr) * gx
            fx, gx = f(x_new), g(x_new)
            if stop_test and steps_are_small(x_new, x):
                break
            x = x_new
            losses.append(fx)
    elif rule == "momentum":
        v = None
        for _ in range(iters):
            v = gx.copy() if v is None else 0.9 * v + 1.0 * gx
            x_new = x + (-lr) * v
            fx, gx = f(x_new), g(x_new)
            if stop_test and steps_are_small(x_new, x):
                break
            x = x_new
            losses.append(fx)
    else:  # adam
        m = np.zeros_like(x)
        v = np.zeros_like(x)
        b1, b2, eps = 0.9, 0.999, 1e-8 * float(np.sqrt(np.mean(gx * gx)))
        bc1 = bc2 = 1.0
        for _ in range(iters):
            m = b1 * m + (1 - b1) * gx
            v = b2 * v + (1 - b2) * (gx * gx)
            bc1, bc2 = bc1 * b1, bc2 * b2
            denom = np.sqrt(v / (1 - bc2))
            denom += eps
            d = m * (-lr / (1 - bc1))
            d /= denom
            x_new = x + d
            fx, gx = f(x_new), g(x_new)
            if stop_test and steps_are_small(x_new, x):
                break
            x = x_new
            losses.append(fx)
    return x


def engine(rule, x0, f, g, iters, lr, stop_test):
    obj = ud.Objective(f, params="m", loss="", jac=g)
    unit = "m" if rule == "adam" else "m**2"
    res = ud.minimize(obj, Q_(x0, "m"), method=rule, lr=Q_(lr, unit), maxiter=iters,
                      history="loss", xtol_rel=1e-300 if stop_test else 0.0)
    assert res.nit == iters, res.message
    return res.x.m


def best_time(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = ap.parse_args()
    cases = [(10, 2000), (1000, 1000), (10**6, 20)]
    repeat = 2 if args.quick else 5
    print(f"{'rule':9} {'n':>8} {'iters':>6} {'stop test':>9} {'hand [ms]':>10} {'engine [ms]':>12}"
          f" {'ratio':>6} {'overhead/iter [µs]':>19}")
    for n, iters in cases:
        c, x0, f, g = problem(n)
        for rule in ("gd", "momentum", "adam"):
            lr = 0.1 if rule != "adam" else 0.01
            for stop_test in (False, True):
                th, xh = best_time(lambda: hand_loop(rule, x0, f, g, iters, lr, stop_test), repeat)
                te, xe = best_time(lambda: engine(rule, x0, f, g, iters, lr, stop_test), repeat)
                assert np.allclose(xh, xe, rtol=1e-10, atol=1e-12), "engine and hand loop disagree"
                print(f"{rule:9} {n:>8} {iters:>6} {'yes' if stop_test else 'no':>9} {th * 1e3:10.2f}"
                      f" {te * 1e3:12.2f} {te / th:6.2f} {(te - th) / iters * 1e6:19.1f}")


if __name__ == "__main__":
    main()
