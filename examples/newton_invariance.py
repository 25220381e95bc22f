"""Newton's method does not care how the problem is written: the same valley in two unit
systems, and under an affine change of coordinates, gives the same physical path.

The valley is f = (1 − u)² + 100·(v − u²)² with u = x / 1 mm and v = y / 1 km. We write it
three ways, each iterating on *different floats*:

1. x in millimetres, y in kilometres;
2. x in micrometres, y in metres (every float 1000× larger);
3. new dimensionless coordinates (p, q) with (u, v) = M·(p, q) + c, M a shear-rotation.

Newton's iterates, mapped back to (x, y), coincide to rounding. For contrast, gradient descent
with a bare learning rate "as given" (the teaching opt-in) takes different paths in 1 and 2.
Run: ``python examples/newton_invariance.py`` (draws examples/out/newton_invariance.png when
matplotlib is installed).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

import unitdescent as ud

Q_ = ud.ureg.Quantity


def loss(u, v):
    return (1.0 - u) ** 2 + 100.0 * (v - u * u) ** 2


def parts(u, v):
    """Loss, gradient and Hessian of the valley in (u, v) (dimensionless)."""
    f = loss(u, v)
    g = np.array([-2.0 * (1.0 - u) - 400.0 * u * (v - u * u), 200.0 * (v - u * u)])
    H = np.array([[2.0 - 400.0 * (v - u * u) + 800.0 * u * u, -400.0 * u], [-400.0 * u, 200.0]])
    return f, g, H


def in_units(xunit, yunit):
    """The valley as a fast-path objective whose floats are x in ``xunit``, y in ``yunit``."""
    a = Q_(1.0, xunit).m_as("mm")  # u = a·x
    b = Q_(1.0, yunit).m_as("km")  # v = b·y
    d = np.array([a, b])
    return ud.Objective(lambda x, y: parts(a * x, b * y)[0], params={"x": xunit, "y": yunit},
                        loss="", jac=lambda x, y: d * parts(a * x, b * y)[1],
                        hess=lambda x, y: d[:, None] * parts(a * x, b * y)[2] * d[None, :],
                        name=f"valley[{xunit}, {yunit}]")


M = np.array([[0.8, -0.9], [0.5, 0.6]])  # (u, v) = M·(p, q) + c
C = np.array([0.3, -0.2])


def affine():
    """The valley in dimensionless coordinates w = (p, q), (u, v) = M·w + C."""
    return ud.Objective(lambda w: parts(*(M @ w + C))[0], params="", loss="",
                        jac=lambda w: M.T @ parts(*(M @ w + C))[1],
                        hess=lambda w: M.T @ parts(*(M @ w + C))[2] @ M, name="valley[p, q]")


X0 = {"x": Q_(-1.2, "mm"), "y": Q_(1.0, "km")}


def run(print_=print):
    paths = {}
    r1 = ud.minimize(in_units("mm", "km"), X0, method="newton")
    paths["mm, km"] = (r1.history.x["x"].m_as("mm"), r1.history.x["y"].m_as("km"), r1.nit)
    r2 = ud.minimize(in_units("um", "m"), {k: v.to(u) for (k, v), u in zip(X0.items(), ("um", "m"))},
                     method="newton")
    paths["µm, m"] = (r2.history.x["x"].m_as("mm"), r2.history.x["y"].m_as("km"), r2.nit)
    w0 = np.linalg.solve(M, np.array([-1.2, 1.0]) - C)
    r3 = ud.minimize(affine(), Q_(w0, ""), method="newton", xtol_rel=0.0)
    uv = r3.history.x.m_as("") @ M.T + C
    paths["affine (p, q)"] = (uv[:, 0], uv[:, 1], r3.nit)

    ref = np.stack(paths["mm, km"][:2], axis=1)
    diffs = {}
    print_("Newton's method on one valley written three ways (iterates mapped back to mm, km):")
    for name, (x, y, nit) in paths.items():
        n = min(len(x), len(ref))
        diff = float(np.max(np.abs(np.stack([x[:n], y[:n]], axis=1) - ref[:n])
                            / np.max(np.abs(ref[:n]), axis=1, keepdims=True)))
        diffs[name] = diff
        print_(f"  {name:>14}: {nit} iterations, end ({x[-1]:.12f} mm, {y[-1]:.12f} km), "
               f"largest relative difference from (mm, km): {diff:.1e}")

    # gradient descent with a bare lr read "as given" in each system's own units: not invariant
    gd = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ud.UnitsWarning)
        for xu, yu in (("mm", "km"), ("um", "m")):
            x0 = {"x": X0["x"].to(xu), "y": X0["y"].to(yu)}
            r = ud.minimize(in_units(xu, yu), x0, method="gd", lr=1e-3, bare="as-given",
                            maxiter=300)
            gd[f"{xu}, {yu}"] = (r.history.x["x"].m_as("mm"), r.history.x["y"].m_as("km"), r)
    # (in µm and m the same bare number is a rate 10⁶ times smaller in mm²: it barely moves)
    print_("Gradient descent with the bare lr = 1e-3 read in each system's units "
           "(bare='as-given'):")
    for name, (x, y, r) in gd.items():
        print_(f"  {name:>14}: after {r.nit} iterations at ({x[-1]:.4g} mm, {y[-1]:.4g} km), "
               f"loss {r.fun.m:.4g}")
    return {"paths": paths, "diffs": diffs, "gd": gd, "nits": {k: v[2] for k, v in paths.items()}}


def draw(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    u = np.linspace(-1.6, 1.6, 300)
    v = np.linspace(-0.6, 2.2, 300)
    U, V = np.meshgrid(u, v)
    ax.contour(U, V, np.log10(loss(U, V) + 1e-3), levels=18, cmap="Greys", linewidths=0.6)
    styles = {"mm, km": ("o-", "tab:red", 7), "µm, m": ("s--", "tab:blue", 4),
              "affine (p, q)": ("x:", "k", 6)}
    for name, (x, y, nit) in results["paths"].items():
        fmt, color, ms = styles[name]
        ax.plot(x, y, fmt, color=color, ms=ms, mfc="none", lw=1.0,
                label=f"Newton in {name} ({nit} it.)")
    for (name, (x, y, r)), color in zip(results["gd"].items(), ("tab:green", "tab:purple")):
        ax.plot(x, y, "-", color=color, lw=1.5, alpha=0.8,
                label=f"GD, bare lr=1e-3 in {name.replace('um', 'µm')}")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-0.6, 2.2)
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [km]")
    ax.set_title("same physical path in any coordinates")
    ax.legend(fontsize=7, loc="upper right")
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
    results["figure"] = draw(results, os.path.join(out_dir, "newton_invariance.png"))
    print(f"figure: {results['figure']}")
    return results


if __name__ == "__main__":
    main()
