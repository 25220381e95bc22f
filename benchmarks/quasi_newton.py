"""Quasi-Newton benchmark: unitdescent BFGS / L-BFGS against scipy.optimize, in good and bad units.

For every Moré–Garbow–Hillstrom problem of ``unitdescent.testing`` the same physical problem
is run (a) in well-chosen units and (b) in badly chosen ones (groups of parameters in nm,
years, km, µs), by unitdescent's ``bfgs`` and ``lbfgs`` and by scipy's ``BFGS`` and
``L-BFGS-B`` — same start, same loss and gradient functions, default options. Reported:
success (f − f* ≤ 1e-8 for a known minimum value f*), f − f*, the number of f+g evaluations
(``nfev``; each evaluation computes the loss and its gradient) and the wall-time ratio
unitdescent / scipy measured in the same run. Then time per evaluation at n = 1000 and
extended Rosenbrock at n = 10⁶ (L-BFGS vs L-BFGS-B): time per iteration and peak memory
(tracemalloc, which sees numpy's and scipy's array allocations).

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1`` unless set) so that both sides are
timed alike on a shared machine. Run from the repository root::

    python benchmarks/quasi_newton.py [--markdown docs/quasi_newton_table.md]
                                      [--splice docs/quasi_newton.md] [--quick]

``--splice`` replaces the text between ``<!-- BEGIN benchmark -->`` and
``<!-- END benchmark -->`` in a docs page with the generated tables.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import minimize as scipy_minimize  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from unitdescent.testing import PROBLEMS, get  # noqa: E402
from unitdescent.testing.problems import extended_rosenbrock  # noqa: E402

SOLVED = 1e-8  # success: f − f* ≤ SOLVED (the loss is dimensionless)
MAXITER = 5000
PAIRS = (("bfgs", "BFGS"), ("lbfgs", "L-BFGS-B"))


def best_time(fn, repeat):
    """Run ``fn`` ``repeat`` times; return (its last result, the smallest wall time [s])."""
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def run_ud(p, which, method, repeat):
    obj, x0 = p.objective(which), p.x0_quantities(which)
    res, t = best_time(lambda: ud.minimize(obj, x0, method=method, maxiter=MAXITER,
                                           history=False), repeat)
    x = np.empty(p.n)  # in the MGH order, in the units of the run
    for name, ix in zip(p.names(), p.group_indices()):
        x[ix] = res.x[name].m
    hit = []  # evaluations when f − f* first reached SOLVED (an untimed run with a callback)

    def watch(r):
        if not hit and p.error(r.fun.m) <= SOLVED:
            hit.append(r.nfev)

    ud.minimize(obj, x0, method=method, maxiter=MAXITER, history=False, callback=watch)
    return dict(err=p.error(res.fun.m), nfev=res.nfev, time=t, nit=res.nit, x=x,
                msg=res.message, to_solve=hit[0] if hit else None)


def run_scipy(p, which, method, repeat):
    fun, jac, x0 = p.flat(which)
    res, t = best_time(lambda: scipy_minimize(fun, x0, jac=jac, method=method,
                                              options=dict(maxiter=MAXITER)), repeat)
    calls, hit = [0], []

    def counted(v):
        calls[0] += 1
        return fun(v)

    def watch(intermediate_result):
        if not hit and p.error(float(intermediate_result.fun)) <= SOLVED:
            hit.append(calls[0])

    scipy_minimize(counted, x0, jac=jac, method=method, callback=watch,
                   options=dict(maxiter=MAXITER))
    return dict(err=p.error(float(res.fun)), nfev=int(res.nfev), time=t, nit=int(res.nit),
                msg=str(res.message), to_solve=hit[0] if hit else None)


def suite(names, repeat):
    rows = []
    for name in names:
        p = get(name)
        for which in ("well", "bad"):
            row = dict(name=name, n=p.n, which=which)
            for ours, theirs in PAIRS:
                row[ours] = run_ud(p, which, ours, repeat)
                row[theirs] = run_scipy(p, which, theirs, repeat)
            rows.append(row)
    return rows


def _ok(r):
    return r["err"] <= SOLVED


def _cell(r):
    return f"{'✓' if _ok(r) else '✗'} {r['err']:.1e} {r['nfev']}"


def suite_tables(rows) -> list[str]:
    out = []
    for ours, theirs in PAIRS:
        out += [f"### unitdescent `{ours}` vs scipy `{theirs}`", "",
                "Cells: solved? · f − f* · f+g evaluations. Time ratio: unitdescent / scipy "
                "wall time for the whole run, same process.", "",
                f"| problem | n | units | unitdescent {ours} | scipy {theirs} | time ratio |",
                "|---|---:|---|---|---|---:|"]
        for r in rows:
            out.append(f"| {r['name']} | {r['n']} | {r['which']} | {_cell(r[ours])} | "
                       f"{_cell(r[theirs])} | {r[ours]['time'] / r[theirs]['time']:.2f} |")
        out.append("")
    return out


def _ratio_text(values):
    med = float(np.median(values)) if len(values) else float("nan")
    return "∞" if np.isinf(med) else f"{med:.2f}"


def summary(rows) -> list[str]:
    out = ["### Summary", "",
           "Eval ratio = scipy evaluations / unitdescent evaluations per problem; "
           "\"to a solution\" counts a run that does not solve the problem as needing ∞ "
           "evaluations.", "",
           "Evals to 1e-8: the evaluations a run had used when f − f* first fell below 1e-8 "
           "(separates the search from the stopping rule; median over the runs that get "
           "there).", "",
           "| method | units | solved (ud / scipy) | median evals (ud / scipy) | median evals to "
           "1e-8 (ud / scipy) | median eval ratio, both solved | median eval ratio to a "
           "solution | ud identical to its well-units run |",
           "|---|---|---|---|---|---:|---:|---|"]
    for ours, theirs in PAIRS:
        good = {r["name"]: r[ours] for r in rows if r["which"] == "well"}
        for which in ("well", "bad"):
            rs = [r for r in rows if r["which"] == which]
            a = [r[ours]["nfev"] for r in rs]
            b = [r[theirs]["nfev"] for r in rs]
            solved = f"{sum(_ok(r[ours]) for r in rs)} / {sum(_ok(r[theirs]) for r in rs)}"
            both = [r[theirs]["nfev"] / r[ours]["nfev"] for r in rs
                    if _ok(r[ours]) and _ok(r[theirs])]
            to_sol = [(r[theirs]["nfev"] if _ok(r[theirs]) else np.inf)
                      / (r[ours]["nfev"] if _ok(r[ours]) else np.inf) for r in rs
                      if _ok(r[ours]) or _ok(r[theirs])]
            if which == "bad":
                same = [r["name"] for r in rs if r[ours]["nfev"] == good[r["name"]]["nfev"]
                        and np.allclose(r[ours]["x"] * get(r["name"]).factors("bad"),
                                        good[r["name"]]["x"], rtol=1e-6, atol=1e-12)]
                inv = f"{len(same)} of {len(rs)}"
                diff = [r for r in rs if r["name"] not in same]
                if diff:
                    inv += " (differs: " + ", ".join(
                        f"{r['name']} {good[r['name']]['nfev']}→{r[ours]['nfev']} evals"
                        for r in diff) + ")"
            else:
                inv = "—"
            ta = [r[ours]["to_solve"] for r in rs if r[ours]["to_solve"]]
            tb = [r[theirs]["to_solve"] for r in rs if r[theirs]["to_solve"]]
            med = lambda v: f"{np.median(v):g}" if v else "—"  # noqa: E731
            out.append(f"| {ours} vs {theirs} | {which} | {solved} | {np.median(a):g} / "
                       f"{np.median(b):g} | {med(ta)} / {med(tb)} | "
                       f"{_ratio_text(both)} ({len(both)}) | "
                       f"{_ratio_text(to_sol)} | {inv} |")
    lost = [f"{r['name']} ({r['which']}, {o})" for r in rows for o, t in PAIRS
            if _ok(r[t]) and not _ok(r[o])]
    out += ["", f"Runs scipy solves and unitdescent does not: "
                f"{', '.join(lost) if lost else 'none'}.", ""]
    return out


def per_evaluation(n, maxiter, repeat) -> list[str]:
    """Time per f+g evaluation on extended Rosenbrock with a single-vector fast path."""
    p = extended_rosenbrock(n)
    obj = ud.Objective(p.fun, params="m", loss="", jac=p.grad)
    x0 = ud.ureg.Quantity(p.x0, "m")
    out = [f"### Time per evaluation, extended Rosenbrock n = {n} (fast path, {maxiter} "
           f"iterations at most)", "",
           "| method | unitdescent µs/eval | scipy µs/eval | ratio |", "|---|---:|---:|---:|"]
    for ours, theirs in PAIRS:
        r1, t1 = best_time(lambda: ud.minimize(obj, x0, method=ours, maxiter=maxiter,
                                               history=False), repeat)
        r2, t2 = best_time(lambda: scipy_minimize(p.fun, p.x0, jac=p.grad, method=theirs,
                                                  options=dict(maxiter=maxiter)), repeat)
        a, b = t1 / r1.nfev * 1e6, t2 / r2.nfev * 1e6
        out.append(f"| {ours} vs {theirs} | {a:.0f} | {b:.0f} | {a / b:.2f} |")
    return out + [""]


def big(n, repeat) -> list[str]:
    """Extended Rosenbrock at n: L-BFGS vs L-BFGS-B, time per iteration and peak memory."""
    p = extended_rosenbrock(n)
    obj = ud.Objective(p.fun, params="m", loss="", jac=p.grad)
    x0 = ud.ureg.Quantity(p.x0, "m")

    def ours(maxiter=MAXITER):
        r = ud.minimize(obj, x0, method="lbfgs", memory=10, maxiter=maxiter, history=False)
        return r.nit, r.nfev, r.fun.m, r.success

    def theirs(maxiter=MAXITER):
        r = scipy_minimize(p.fun, p.x0, jac=p.grad, method="L-BFGS-B",
                           options=dict(maxiter=maxiter, maxcor=10))
        return int(r.nit), int(r.nfev), float(r.fun), bool(r.success)

    out = [f"### Extended Rosenbrock, n = {n:,}: unitdescent `lbfgs` vs scipy `L-BFGS-B` "
           f"(memory 10)", "",
           "| | iterations | f+g evals | final f | ms / iteration | peak MB (tracemalloc) |",
           "|---|---:|---:|---:|---:|---:|"]
    stats = {}
    for label, fn in (("unitdescent lbfgs", ours), ("scipy L-BFGS-B", theirs)):
        (nit, nfev, f, ok), t = best_time(fn, repeat)
        tracemalloc.start()
        fn(maxiter=15)  # the buffers are full after `memory` iterations
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        stats[label] = (t / nit, peak)
        out.append(f"| {label} | {nit} | {nfev} | {f:.2e} | {t / nit * 1e3:.1f} | {peak:.0f} |")
    (ta, ma), (tb, mb) = stats.values()
    out += ["", f"Ratios unitdescent / scipy: time per iteration {ta / tb:.2f}, peak memory "
                f"{ma / mb:.2f}.", ""]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    ap.add_argument("--splice", type=Path,
                    help="replace the marked benchmark section of this Markdown page")
    ap.add_argument("--quick", action="store_true",
                    help="three small problems, n = 10⁴ instead of 10⁶ (a smoke test)")
    ap.add_argument("--repeat", type=int, default=3, help="timing repeats (best is kept)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    names = ["rosenbrock", "beale", "box_3d"] if args.quick else list(PROBLEMS)
    rows = suite(names, args.repeat)
    lines = [f"Measured with numpy {np.__version__}, scipy {scipy.__version__}, single-threaded "
             f"BLAS; success means f − f* ≤ {SOLVED:g}.", ""]
    lines += suite_tables(rows) + summary(rows)
    lines += per_evaluation(200 if args.quick else 1000, 20 if args.quick else 50,
                            1 if args.quick else args.repeat)
    lines += big(10_000 if args.quick else 1_000_000, 1 if args.quick else 2)
    lines.append(f"Benchmark wall time: {time.perf_counter() - t0:.0f} s.")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text("<!-- generated by benchmarks/quasi_newton.py; do not edit -->\n\n"
                                 + text + "\n")
    if args.splice:
        splice(args.splice, text)
    return rows


BEGIN, END = "<!-- BEGIN benchmark -->", "<!-- END benchmark -->"


def splice(path: Path, text: str) -> None:
    """Put ``text`` between the BEGIN/END markers of ``path`` (generated, not typed)."""
    page = path.read_text()
    if BEGIN not in page or END not in page:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers to replace")
    head, rest = page.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{BEGIN}\n<!-- generated by benchmarks/quasi_newton.py; do not edit -->"
                    f"\n\n{text}\n\n{END}{tail}")


if __name__ == "__main__":
    main()
