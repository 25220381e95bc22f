"""Fit g from pendulum periods measured at several lengths (lengths in cm, periods in s).

The small-angle period is T = 2π √(L/g). The lengths are given in centimetres, the periods in
seconds with a 5 ms timing uncertainty, and the start for g in m/s² — unitdescent converts
once and reports g ± its standard error in the units of the start.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from _fitplot import data_and_fit  # noqa: E402

Q_ = ud.ureg.Quantity
rng = np.random.default_rng(42)

# synthetic measurements: true g = 9.81 m/s², timing noise 5 ms
length = Q_(np.linspace(20.0, 150.0, 14), "cm")
g_true = Q_(9.81, "m/s**2")
period_true = (2 * np.pi * np.sqrt(length / g_true)).to("s")
sigma = Q_(5.0, "ms")
period = period_true + sigma * rng.normal(size=length.size)


def pendulum(L, g):
    """Small-angle period of a simple pendulum of length L."""
    return 2 * np.pi * np.sqrt(L / g)


result = ud.fit(pendulum, length, period, {"g": Q_(10.0, "m/s**2")}, sigma=sigma, absolute_sigma=True)
print(result.summary())
g, dg = result.params["g"], result.stderr["g"]
print(f"\ng = {g.m:.4f} ± {dg.m:.4f} {g.units:~P}  (true {g_true:~P})")
verdict = "explains" if result.redchi < 2 else "does not explain"
print(f"χ²/dof = {result.redchi:.2f}: the 5 ms timing error {verdict} the scatter")

fine = Q_(np.linspace(15.0, 155.0, 200), "cm")
data_and_fit("fit_pendulum", length, period, sigma, fine, pendulum(fine, g).to("s"),
             xlabel="length", ylabel="period", title=f"g = {g.m:.3f} ± {dg.m:.3f} m/s²")
