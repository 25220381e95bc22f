"""Temperature of a black body from its spectrum, wavelengths in nm (Planck's law).

B_λ(λ, T) = ε · 2hc²/λ⁵ / (exp(hc/(λ k_B T)) − 1), with an unknown dimensionless emissivity/
geometry factor ε. The spectrum is given per nanometre of wavelength; the exponent
hc/(λ k_B T) must come out dimensionless, and pint checks that it does.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from _fitplot import data_and_fit  # noqa: E402

Q_ = ud.ureg.Quantity
h = Q_(6.62607015e-34, "J*s")
c = Q_(299792458.0, "m/s")
kB = Q_(1.380649e-23, "J/K")
rng = np.random.default_rng(5778)

wavelength = Q_(np.linspace(300.0, 2500.0, 60), "nm")
UNIT = "W/(m**2*sr*nm)"


def planck(lam, T, eps):
    """Spectral radiance per unit wavelength of a grey body at temperature T."""
    x = (h * c / (lam * kB * T)).to("")
    return (eps * 2 * h * c ** 2 / lam ** 5 / (np.exp(x) - 1) / ud.ureg.sr).to(UNIT)


T_true, eps_true = Q_(5778.0, "K"), 0.93
clean = planck(wavelength, T_true, Q_(eps_true, ""))
sigma = 0.02 * clean.max()  # detector noise: 2 % of the peak
spectrum = clean + sigma * rng.normal(size=wavelength.size)

result = ud.fit(planck, wavelength, spectrum, {"T": Q_(5000.0, "K"), "eps": Q_(0.5, "")}, sigma=sigma,
                absolute_sigma=True)
print(result.summary())
T, dT = result.params["T"], result.stderr["T"]
peak = (Q_(2.897771955e-3, "m*K") / T).to("nm")  # Wien's displacement law
print(f"\nT = {T.m:.1f} ± {dT.m:.1f} K  (true {T_true:~P});  peak at {peak:.1f~P}")

fine = Q_(np.linspace(250.0, 2600.0, 400), "nm")
data_and_fit("fit_planck", wavelength, spectrum, sigma, fine, planck(fine, **result.params),
             xlabel="wavelength", ylabel="spectral radiance", title=f"T = {T.m:.0f} ± {dT.m:.0f} K")
