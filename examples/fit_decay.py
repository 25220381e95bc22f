"""Half-life of a radioactive sample from counts per interval, with Poisson uncertainties.

Counts are recorded twice a day for 40 days (five half-lives, so that the background is
determined too); the model is N(t) = N0·2^(−t/t½) + background.
The start for the half-life is in hours, the time axis in days: the result comes back in
hours (the units of the start) and converts to days at will.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from _fitplot import data_and_fit  # noqa: E402

Q_ = ud.ureg.Quantity
rng = np.random.default_rng(7)

# synthetic data: iodine-131-like half-life of 8.02 days, counts per 10-minute interval
t = Q_(np.arange(0.0, 40.0, 0.5), "day")
half_life_true = Q_(8.02, "day")
expected = 5000.0 * 2.0 ** (-(t / half_life_true).m_as("")) + 40.0
counts = Q_(rng.poisson(expected).astype(float), "count")
sigma = Q_(np.sqrt(np.maximum(counts.m, 1.0)), "count")  # Poisson: σ = √N


def decay(t, N0, t_half, background):
    """Counts per interval of a single radioactive species over a constant background."""
    return N0 * 2.0 ** (-t / t_half) + background


p0 = {"N0": Q_(4000.0, "count"), "t_half": Q_(150.0, "hour"), "background": Q_(10.0, "count")}
result = ud.fit(decay, t, counts, p0, sigma=sigma, absolute_sigma=True)
print(result.summary())
t_half, dt_half = result.params["t_half"], result.stderr["t_half"]
print(f"\nhalf-life = {t_half.m_as('day'):.3f} ± {dt_half.m_as('day'):.3f} d  (true {half_life_true:~P})")
decay_rate = np.log(2) / t_half
print(f"decay constant λ = {decay_rate.to('1/s'):.4e~P}")

fine = Q_(np.linspace(0.0, 40.0, 300), "day")
best = decay(fine, **result.params)
data_and_fit("fit_decay", t, counts, sigma, fine, best, xlabel="time", ylabel="counts per 10 min",
             title=f"t½ = {t_half.m_as('day'):.2f} ± {dt_half.m_as('day'):.2f} days", logy=True)
