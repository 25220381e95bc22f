"""Activation energy from rate constants measured at several temperatures (Arrhenius law).

k(T) = A·exp(−Ea/(R·T)). The temperatures are recorded in °C — an offset unit, so they are
converted to kelvin before the model divides by them — the rate constants in 1/s with a 4 %
relative uncertainty. The pre-exponential factor (~1e11 1/s) and Ea (~80 kJ/mol) differ by
many orders of magnitude; the fit works in scaled coordinates, so no rescaling by hand.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import unitdescent as ud  # noqa: E402
from _fitplot import data_and_fit  # noqa: E402

Q_ = ud.ureg.Quantity
R = Q_(8.314462618, "J/(mol*K)")
rng = np.random.default_rng(2024)

celsius = Q_(np.array([25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0, 95.0]), "degC")
T = celsius.to("K")  # absolute temperature: 1/T and Ea/(R·T) need a true zero
A_true, Ea_true = Q_(2.0e11, "1/s"), Q_(80.0, "kJ/mol")
k_true = A_true * np.exp(-Ea_true / (R * T))
rel = 0.04
k = k_true * (1.0 + rel * rng.normal(size=T.size))
sigma = rel * k_true


def arrhenius(T, A, Ea):
    """Rate constant at absolute temperature T."""
    return A * np.exp(-Ea / (R * T))


result = ud.fit(arrhenius, T, k, {"A": Q_(1e10, "1/s"), "Ea": Q_(60.0, "kJ/mol")}, sigma=sigma,
                absolute_sigma=True)
print(result.summary())
Ea, dEa = result.params["Ea"], result.stderr["Ea"]
print(f"\nEa = {Ea.m:.2f} ± {dEa.m:.2f} {Ea.units:~P}  (true {Ea_true:~P})")
print(f"per molecule: {(Ea / Q_(6.02214076e23, '1/mol')).to('eV'):.4f~P}")
print(f"corr(A, Ea) = {result.correlation['A', 'Ea'].m:+.4f} (strong, as always for Arrhenius fits)")

fine = Q_(np.linspace(T.m.min() - 5, T.m.max() + 5, 200), "K")
data_and_fit("fit_arrhenius", T, k, sigma, fine, arrhenius(fine, **result.params).to(k.units),
             xlabel="temperature", ylabel="rate constant",
             title=f"Ea = {Ea.m:.1f} ± {dEa.m:.1f} kJ/mol", logy=True)
