"""A narrow valley with units: gradient descent with a curvature-suggested learning rate vs
Newton's method.

The Rosenbrock valley f = (1 − u)² + 100·(v − u²)², written for a parameter x in millimetres
(u = x / 1 mm) and a parameter y in kilometres (v = y / 1 km), started from the classic point
(−1.2 mm, 1 km). A bare learning rate is rejected; ``ud.suggest_lr`` gives one learning rate
per parameter, in mm² and km², from the curvature at the start; Newton's method needs no rate
at all. Run it: ``python examples/narrow_valley.py`` (draws examples/out/narrow_valley.png when
matplotlib is installed).
"""

from __future__ import annotations

import os

import numpy as np

import unitdescent as ud

Q_ = ud.ureg.Quantity


def rosenbrock(x, y):
    """The valley on floats: x in mm, y in km; the loss is dimensionless."""
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def gradient(x, y):
    return {"x": -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), "y": 200.0 * (y - x * x)}


def hessian(x, y):
    return np.array([[2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x],
                     [-400.0 * x, 200.0]])


# the fast path: the loss works on floats and declares their units once
valley = ud.Objective(rosenbrock, params={"x": "mm", "y": "km"}, loss="", jac=gradient,
                      hess=hessian, name="valley")
x0 = {"x": Q_(-1.2, "mm"), "y": Q_(1.0, "km")}


def run(print_=print, gd_iterations=3000):
    print_("A narrow valley: x in mm, y in km, minimum at (1 mm, 1 km), start (−1.2 mm, 1 km)\n")

    print_("1. gradient descent with a bare learning rate is rejected before the first step:")
    try:
        ud.minimize(valley, x0, method="gd", lr=1e-3)
    except ud.UnitsError as exc:
        print_(f"   {type(exc).__name__}: {exc}\n")

    scales = ud.characteristic_scales(valley, x0)
    lr = ud.suggest_lr(valley, x0)
    print_("2. curvature at the start: characteristic scales "
           f"x: {scales['x']:.4g~P}, y: {scales['y']:.4g~P}")
    print_(f"   suggested learning rates: x: {lr['x']:.4g~P}, y: {lr['y']:.4g~P}\n")

    gd = ud.minimize(valley, x0, method="gd", lr=lr, maxiter=gd_iterations, xtol_rel=0.0)
    loss = gd.history.loss.m
    print_(f"3. gradient descent, {gd.nit} iterations: loss {loss[0]:.4g} → {loss[-1]:.4g}, "
           f"monotone: {bool(np.all(np.diff(loss) <= 0))}; x = {gd.x['x']:.5f~P}, "
           f"y = {gd.x['y']:.5f~P}")

    newton = ud.minimize(valley, x0, method="newton")
    err = max(abs(newton.x["x"].m_as("mm") - 1.0), abs(newton.x["y"].m_as("km") - 1.0))
    print_(f"4. Newton's method: {newton.message}")
    print_(f"   {newton.nit} iterations, x = {newton.x['x']:.12f~P}, y = {newton.x['y']:.12f~P} "
           f"(relative error {err:.1e})")
    return {"gd": gd, "newton": newton, "lr": lr, "scales": scales}


def draw(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gd, newton = results["gd"], results["newton"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    u = np.linspace(-1.6, 1.6, 300)
    v = np.linspace(-0.6, 2.2, 300)
    U, V = np.meshgrid(u, v)
    ax.contour(U, V, np.log10(rosenbrock(U, V) + 1e-3), levels=18, cmap="Greys", linewidths=0.6)
    ax.plot(gd.history.x["x"].m_as("mm"), gd.history.x["y"].m_as("km"), "-", color="tab:blue",
            lw=1.2, label=f"GD, suggested lr ({gd.nit} it.)")
    ax.plot(newton.history.x["x"].m_as("mm"), newton.history.x["y"].m_as("km"), "o-",
            color="tab:red", ms=3, lw=1.0, label=f"Newton ({newton.nit} it.)")
    ax.plot([1.0], [1.0], "k*", ms=9)
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [km]")
    ax.set_title("paths in the valley")
    ax.legend(fontsize=8, loc="lower right")
    bx.semilogy(np.maximum(gd.history.loss.m, 1e-30), color="tab:blue", label="GD, suggested lr")
    bx.semilogy(np.maximum(newton.history.loss.m, 1e-30), "o-", color="tab:red", ms=3,
                label="Newton")
    bx.set_xscale("symlog", linthresh=30)
    bx.set_xlabel("iteration")
    bx.set_ylabel("loss")
    bx.set_title("loss")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main(out_dir=None):
    results = run()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("(matplotlib is not installed: no figure drawn)")
        return results
    out_dir = out_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out_dir, exist_ok=True)
    results["figure"] = draw(results, os.path.join(out_dir, "narrow_valley.png"))
    print(f"figure: {results['figure']}")
    return results


if __name__ == "__main__":
    main()
