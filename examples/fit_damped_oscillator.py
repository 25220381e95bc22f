"""Damped oscillator: amplitude, decay time, frequency and phase from a displacement record.

x(t) = A·exp(−t/τ)·cos(2π f t + φ) + x0, time in ms, displacement in mm, frequency in Hz.
The model's phase 2π f t is dimensionless only because Hz·ms is; pint reduces it. The start
for f comes from the data (zero crossings), as it would in the lab.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from _fitplot import data_and_fit  # noqa: E402

Q_ = ud.ureg.Quantity
rng = np.random.default_rng(11)

t = Q_(np.linspace(0.0, 400.0, 300), "ms")
truth = {"A": Q_(12.0, "mm"), "tau": Q_(150.0, "ms"), "f": Q_(21.0, "Hz"), "phi": Q_(0.6, "rad"),
         "x0": Q_(0.8, "mm")}


def oscillator(t, A, tau, f, phi, x0):
    """Displacement of an underdamped oscillator."""
    return A * np.exp(-t / tau) * np.cos(2 * np.pi * f * t + phi) + x0


sigma = Q_(0.3, "mm")
x = oscillator(t, **truth) + sigma * rng.normal(size=t.size)

# a start from the data: frequency from the zero crossings of the de-meaned record
centred = x.m - x.m.mean()
crossings = np.count_nonzero(np.diff(np.sign(centred[: t.size // 2])))
f_start = (crossings / 2 / t[t.size // 2]).to("Hz")
p0 = {"A": Q_(10.0, "mm"), "tau": Q_(100.0, "ms"), "f": f_start, "phi": Q_(0.3, "rad"), "x0": Q_(0.5, "mm")}
print(f"start for f from zero crossings: {f_start:.2f~P}")

result = ud.fit(oscillator, t, x, p0, sigma=sigma, absolute_sigma=True)
print(result.summary())
f, df = result.params["f"], result.stderr["f"]
tau = result.params["tau"]
quality = (np.pi * f * tau).to("")
print(f"\nf = {f.m:.4f} ± {df.m:.4f} {f.units:~P}, τ = {tau.m:.2f} ± {result.stderr['tau'].m:.2f} "
      f"{tau.units:~P}, Q = π f τ = {quality.m:.1f}")

fine = Q_(np.linspace(0.0, 400.0, 1500), "ms")
data_and_fit("fit_damped_oscillator", t, x, None, fine, oscillator(fine, **result.params),
             xlabel="time", ylabel="displacement", title=f"f = {f.m:.3f} ± {df.m:.3f} Hz")
