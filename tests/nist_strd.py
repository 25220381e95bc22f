"""Reader for the NIST StRD nonlinear-regression files in ``tests/data/nist_strd``, and the models.

Each ``.dat`` file holds two starting points, the certified parameter values and standard
deviations, the certified residual sum of squares and the data (response first, then the
predictor(s)). The model formulas are written out below from the files' "Model:" sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "nist_strd"

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _exp_decays(x, b):
    return b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-b[3] * x) + b[4] * np.exp(-b[5] * x)


def _gauss(x, b):
    return (b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-(x - b[3]) ** 2 / b[4] ** 2)
            + b[5] * np.exp(-(x - b[6]) ** 2 / b[7] ** 2))


#: y = f(x, b) with b a sequence b1..bn (works on floats and on dimensionless Quantities).
MODELS = {
    "Misra1a": lambda x, b: b[0] * (1 - np.exp(-b[1] * x)),
    "Misra1b": lambda x, b: b[0] * (1 - (1 + b[1] * x / 2) ** (-2)),
    "Misra1c": lambda x, b: b[0] * (1 - (1 + 2 * b[1] * x) ** (-0.5)),
    "Misra1d": lambda x, b: b[0] * b[1] * x * ((1 + b[1] * x) ** (-1)),
    "Chwirut1": lambda x, b: np.exp(-b[0] * x) / (b[1] + b[2] * x),
    "Chwirut2": lambda x, b: np.exp(-b[0] * x) / (b[1] + b[2] * x),
    "DanWood": lambda x, b: b[0] * x ** b[1],
    "Lanczos1": _exp_decays,
    "Lanczos2": _exp_decays,
    "Lanczos3": _exp_decays,
    "Gauss1": _gauss,
    "Gauss2": _gauss,
    "Gauss3": _gauss,
    "Kirby2": lambda x, b: (b[0] + b[1] * x + b[2] * x ** 2) / (1 + b[3] * x + b[4] * x ** 2),
    "Hahn1": lambda x, b: ((b[0] + b[1] * x + b[2] * x ** 2 + b[3] * x ** 3)
                           / (1 + b[4] * x + b[5] * x ** 2 + b[6] * x ** 3)),
    "MGH17": lambda x, b: b[0] + b[1] * np.exp(-x * b[3]) + b[2] * np.exp(-x * b[4]),
    "Nelson": lambda x, b: b[0] - b[1] * x[0] * np.exp(-b[2] * x[1]),
    "Roszman1": lambda x, b: b[0] - b[1] * x - np.arctan(b[2] / (x - b[3])) / np.pi,
    "ENSO": lambda x, b: (b[0] + b[1] * np.cos(2 * np.pi * x / 12) + b[2] * np.sin(2 * np.pi * x / 12)
                          + b[4] * np.cos(2 * np.pi * x / b[3]) + b[5] * np.sin(2 * np.pi * x / b[3])
                          + b[7] * np.cos(2 * np.pi * x / b[6]) + b[8] * np.sin(2 * np.pi * x / b[6])),
}

NAMES = sorted(MODELS)


@dataclass(frozen=True)
class Problem:
    """One NIST StRD problem: data, starts and certified values (all dimensionless floats)."""

    name: str
    x: np.ndarray  # (n,) or (k, n) for several predictors
    y: np.ndarray  # the response (log y for Nelson, whose model is written for log y)
    starts: tuple  # (start1, start2), each an array of the b's
    certified: np.ndarray
    certified_sd: np.ndarray
    rss: float

    @property
    def names(self) -> list[str]:
        return [f"b{i + 1}" for i in range(self.certified.size)]

    def model(self, x, b):
        return MODELS[self.name](x, b)


def load(name: str) -> Problem:
    """Parse ``tests/data/nist_strd/<name>.dat``."""
    lines = (DATA / f"{name}.dat").read_text().splitlines()
    starts1, starts2, cert, sd = [], [], [], []
    rss = None
    data_at = None
    for i, line in enumerate(lines):
        m = re.match(rf"\s*b(\d+)\s*=\s*({_NUM})\s+({_NUM})\s+({_NUM})\s+({_NUM})\s*$", line)
        if m:
            starts1.append(float(m.group(2)))
            starts2.append(float(m.group(3)))
            cert.append(float(m.group(4)))
            sd.append(float(m.group(5)))
        elif line.strip().startswith("Residual Sum of Squares:"):
            rss = float(line.split(":")[1])
        elif re.match(r"Data:\s+y\b", line):
            data_at = i + 1
    if not cert or rss is None or data_at is None:
        raise ValueError(f"{name}.dat: could not find the certified values or the data")
    rows = np.array([[float(t) for t in ln.split()] for ln in lines[data_at:] if ln.strip()])
    y = rows[:, 0]
    x = rows[:, 1] if rows.shape[1] == 2 else rows[:, 1:].T.copy()
    if name == "Nelson":
        y = np.log(y)
    return Problem(name, x, y, (np.array(starts1), np.array(starts2)), np.array(cert),
                   np.array(sd), rss)


def lre(value, reference):
    """Log relative error, capped at 15 (NIST's measure of the number of correct digits)."""
    value, reference = np.asarray(value, float), np.asarray(reference, float)
    with np.errstate(divide="ignore"):
        err = np.abs(value - reference) / np.abs(reference)
        out = np.where(err == 0, 15.0, -np.log10(np.where(err == 0, 1.0, err)))
    return np.minimum(out, 15.0)
