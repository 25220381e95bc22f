"""Shared plotting helper for the fitting examples: draws only when matplotlib is installed."""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def data_and_fit(name, x, y, sigma, x_fine, y_fine, *, xlabel, ylabel, title, logy=False):
    """Save ``examples/out/<name>.png``: data with error bars and the fitted curve.

    ``x``, ``y``, ``sigma``, ``x_fine``, ``y_fine`` are Quantities; the axes are labelled with
    their units. Returns the path, or None when matplotlib is not installed.
    """
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib is not installed: no plot)")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    OUT.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.errorbar(x.magnitude, y.magnitude, yerr=None if sigma is None else sigma.m_as(y.units),
                fmt="o", ms=3, label="data")
    ax.plot(x_fine.m_as(x.units), y_fine.m_as(y.units), "-", label="fit")
    ax.set_xlabel(f"{xlabel} [{x.units:~P}]")
    ax.set_ylabel(f"{ylabel} [{y.units:~P}]")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved to {path}")
    return path
