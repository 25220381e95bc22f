"""Benchmark: ud.fit vs scipy.optimize.least_squares on the 19 NIST StRD problems × 2 starts.

Both solve the same dimensionless problem. ud.fit runs with its defaults on the fast path
(a ``ud.Model`` declaring its units, so the model sees floats) and, for reference, on the
Quantity path (the model sees pint Quantities). scipy runs ``method="lm"`` with its defaults.
The two take different numbers of model evaluations (ud.fit uses central differences and
tighter convergence, which is what reaches the certified values), so the fair comparison is
the wall time *per model evaluation*; the raw time ratio is printed too, with each
method's accuracy (min LRE over the parameters).

Run: ``python benchmarks/fit_nist.py`` from the repository root.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import unitdescent as ud  # noqa: E402
from nist_strd import NAMES, load, lre  # noqa: E402

Q_ = ud.ureg.Quantity


def best_time(fn, repeat=3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_one(p, start):
    names = p.names
    x = p.x if p.x.ndim == 1 else tuple(p.x)
    counter = {"n": 0}

    def fun(x, **b):
        counter["n"] += 1
        return p.model(x, [b[k] for k in names])

    model = ud.Model(fun, params={k: "" for k in names}, name=p.name)
    p0 = {k: float(v) for k, v in zip(names, p.starts[start])}
    t_ud, res = best_time(lambda: ud.fit(model, x, p.y, p0))
    n_ud = res.nfev
    lre_ud = lre([res.params[k].m for k in names], p.certified).min()

    def quantity_model(x, **b):
        return p.model(x, [b[k] for k in names])

    xq = Q_(p.x) if p.x.ndim == 1 else tuple(Q_(r) for r in p.x)
    t_q, _ = best_time(lambda: ud.fit(quantity_model, xq, Q_(p.y), {k: Q_(v) for k, v in p0.items()}),
                       repeat=1)

    def resid(b):
        counter["n"] += 1
        return p.y - p.model(p.x, b)

    def scipy_fit():
        counter["n"] = 0
        return least_squares(resid, p.starts[start], method="lm")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            t_sp, sres = best_time(scipy_fit)
    n_sp = counter["n"]
    lre_sp = lre(sres.x, p.certified).min()
    return dict(name=f"{p.name}/{start + 1}", t_ud=t_ud, n_ud=n_ud, t_q=t_q, t_sp=t_sp, n_sp=n_sp,
                lre_ud=lre_ud, lre_sp=lre_sp)


def main():
    rows = []
    for name in NAMES:
        p = load(name)
        for start in (0, 1):
            rows.append(run_one(p, start))
    head = (f"{'problem':<12} {'ud ms':>8} {'ud nfev':>8} {'scipy ms':>9} {'sp nfev':>8} "
            f"{'per-eval':>9} {'raw':>7} {'pint ms':>8} {'LRE ud':>7} {'LRE sp':>7}")
    print(head)
    print("-" * len(head))
    per_eval, raw = [], []
    for r in rows:
        pe = (r["t_ud"] / r["n_ud"]) / (r["t_sp"] / r["n_sp"])
        ra = r["t_ud"] / r["t_sp"]
        per_eval.append(pe)
        raw.append(ra)
        print(f"{r['name']:<12} {1e3 * r['t_ud']:8.2f} {r['n_ud']:8d} {1e3 * r['t_sp']:9.2f} "
              f"{r['n_sp']:8d} {pe:9.2f} {ra:7.2f} {1e3 * r['t_q']:8.1f} {r['lre_ud']:7.1f} "
              f"{r['lre_sp']:7.1f}")
    print("-" * len(head))
    ok_ud = sum(r["lre_ud"] >= 6 for r in rows)
    ok_sp = sum(r["lre_sp"] >= 6 for r in rows)
    print(f"median time ratio per evaluation (ud.fit / scipy): {np.median(per_eval):.2f}")
    print(f"median raw time ratio (ud.fit / scipy):            {np.median(raw):.2f}")
    print(f"fits with LRE >= 6 on every parameter: ud.fit {ok_ud}/{len(rows)}, "
          f"scipy defaults {ok_sp}/{len(rows)}")


if __name__ == "__main__":
    main()
