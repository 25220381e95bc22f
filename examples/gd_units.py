"""Gradient descent in metres and in centimetres: a bare learning rate vs one with units.

A 2 kg mass hangs on a spring (k = 50 N/m). Its equilibrium stretch minimizes the energy
E(x) = ½·k·x² − m·g·x  [J]. We run gradient descent from x = 10 cm twice: once with x0 written
in metres, once in centimetres.

* With a bare learning rate (0.01, read "in whatever units x0 was typed in" — an opt-in for
  teaching), the two runs follow different physical paths: 0.01 m²/J and 0.01 cm²/J are
  different learning rates.
* With a learning rate that has units (0.01 m²/J), both runs follow the same path.

Run: python examples/gd_units.py   (draws examples/out/gd_units.png when matplotlib is present)
"""

import pathlib
import warnings

import numpy as np

import unitdescent as ud

Q_ = ud.ureg.Quantity
k, mass, g = Q_(50.0, "N/m"), Q_(2.0, "kg"), Q_(9.81, "m/s**2")


def energy(x):
    return (0.5 * k * x**2 - mass * g * x).to("J")


def force(x):
    return (k * x - mass * g).to("N")  # dE/dx, in N = J/m


x_exact = (mass * g / k).to("m")
print(f"equilibrium: x* = m·g/k = {x_exact:.4f~P}")
print(f"SGD's learning rate needs units {ud.lr_units('m', 'J', 'sgd')}\n")

paths = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ud.UnitsWarning)  # we opt in to bare numbers on purpose
    for unit in ("m", "cm"):
        res = ud.minimize(energy, Q_(10.0, "cm").to(unit), method="gd", jac=force,
                          lr=0.01, bare="as-given", maxiter=40)
        paths[f"bare lr, x0 in {unit}"] = res.history.x.m_as("m")
        print(f"bare lr 0.01, x0 in {unit:>2}: after {res.nit:2d} steps x = {res.x.to('m'):.4f~P}"
              f"  ({res.message})")

lr = Q_(0.01, "m**2/J")
for unit in ("m", "cm"):
    res = ud.minimize(energy, Q_(10.0, "cm").to(unit), method="gd", jac=force, lr=lr, maxiter=40)
    paths[f"lr = {lr:~P}, x0 in {unit}"] = res.history.x.m_as("m")
    print(f"lr {lr:~P}, x0 in {unit:>2}: after {res.nit:2d} steps x = {res.x.to('m'):.4f~P}")

with_units = [p for name, p in paths.items() if "bare" not in name]
bare = [p for name, p in paths.items() if "bare" in name]
same = len(with_units[0]) == len(with_units[1]) and np.allclose(with_units[0], with_units[1], rtol=1e-12)
print(f"\nwith units, the two paths are the same: {same}")
print(f"bare, the two paths end {abs(bare[0][-1] - bare[1][-1]):.3f} m apart")
assert same

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(matplotlib not installed: no figure)")
else:
    out = pathlib.Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for (name, p), style in zip(paths.items(), ["o-", "s--", "-", ":"]):
        ax.plot(np.arange(len(p)), p, style, label=name, markersize=3)
    ax.axhline(x_exact.m, color="gray", lw=0.8)
    ax.set_xlabel("iteration")
    ax.set_ylabel("x [m]")
    ax.set_title("Gradient descent: same problem, two unit systems")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "gd_units.png", dpi=100)
    print(f"figure: {out / 'gd_units.png'}")
