"""Matrices over parameters with mixed units (Hessians, metrics, preconditioners, covariances).

Entry (i, j) of a :class:`UnitMatrix` has units [θ_i]^row · [θ_j]^col · [L]^loss, declared by a
:class:`~unitdescent.dims.MatrixDim`. One pint array cannot hold that (it has one unit), so the
matrix keeps plain floats in the working units of a :class:`~unitdescent.space.ParamSpace` and
puts units on per block: ``H["x", "t"]`` is a Quantity.
"""

from __future__ import annotations

import numpy as np

from .dims import MatrixDim
from .errors import InputError, UnitsError
from .units import as_unit, fmt


class UnitMatrix:
    """A square matrix over the parameters of ``space``; entry units from ``mdim``.

    Parameters
    ----------
    values : ndarray (n, n)
        Magnitudes in the working units of ``space`` and ``loss_unit``.
    space : ParamSpace
    mdim : MatrixDim
    loss_unit : pint Unit
    """

    def __init__(self, values, space, mdim: MatrixDim, loss_unit):
        values = np.asarray(values, dtype=float)
        if values.shape != (space.size, space.size):
            raise InputError(f"matrix needs shape {(space.size, space.size)}, got {values.shape}")
        self.values = values
        self.space = space
        self.mdim = mdim
        self.loss_unit = loss_unit

    def block_unit(self, a: str, b: str):
        """The pint Unit of block (a, b)."""
        sa, sb = self.space.by_name[a], self.space.by_name[b]
        return self.mdim.unit(sa.unit, sb.unit, self.loss_unit)

    def __getitem__(self, key):
        if self.space.single and not isinstance(key, tuple):
            key = (key, key)
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputError("index a UnitMatrix by a pair of parameter names, e.g. H['x', 't']")
        for k in key:
            if k not in self.space.by_name:
                raise InputError(f"no parameter named {k!r}; the parameters are {self.space.names}")
        sa, sb = (self.space.by_name[k] for k in key)
        block = self.values[sa.slice, sb.slice]
        if sa.shape == () and sb.shape == ():
            block = float(block[0, 0])
        return self.space.registry.Quantity(block, self.block_unit(*key))

    @property
    def quantity(self):
        """For a single parameter: the whole matrix as one Quantity."""
        if not self.space.single:
            raise InputError("a matrix over parameters with several names has no single unit; "
                             "index it by names, e.g. H['a', 'b'], or use .magnitude(units=...)")
        name = self.space.SINGLE
        return self.space.registry.Quantity(self.values.copy(), self.block_unit(name, name))

    def _factors(self, units, loss):
        reg = self.space.registry
        units = units or {}
        if not isinstance(units, dict):
            units = {self.space.SINGLE: units} if self.space.single else {n: units for n in self.space.names}
        unknown = sorted(set(units) - set(self.space.names))
        if unknown:
            raise InputError(f"units: no parameter named {', '.join(map(repr, unknown))}; the "
                             f"parameters are {self.space.names}")
        f = np.ones(self.space.size)
        for s in self.space.specs:
            if s.name in units:
                target = as_unit(units[s.name], reg, what=f"units for {s.name}")
                if target.dimensionality != s.unit.dimensionality:
                    raise UnitsError(what=f"units for {s.name}", expected=s.unit, got=target,
                                     fix=f"give units compatible with {s.unit}")
                f[s.slice] = reg.Quantity(1.0, s.unit).m_as(target)
        lf = 1.0
        if loss is not None:
            target = as_unit(loss, reg, what="loss units")
            if target.dimensionality != self.loss_unit.dimensionality:
                raise UnitsError(what="loss units", expected=self.loss_unit, got=target,
                                 fix=f"give units compatible with {fmt(self.loss_unit)}")
            lf = reg.Quantity(1.0, self.loss_unit).m_as(target)
        return f, lf

    def magnitude(self, units=None, loss=None) -> np.ndarray:
        """The plain (n, n) matrix with parameters in ``units`` (dict name -> unit) and loss in ``loss``.

        Unnamed parameters (and the loss, when ``loss`` is None) keep their working units.
        """
        f, lf = self._factors(units, loss)
        m = self.mdim
        r = f ** float(m.row)
        c = f ** float(m.col)
        return r[:, None] * self.values * c[None, :] * lf ** float(m.loss)

    def to_working(self, space, mdim: MatrixDim, loss_unit, what: str = "matrix") -> np.ndarray:
        """Magnitudes in another space's working units, after checking the signature."""
        if mdim != self.mdim:
            raise UnitsError(what=what, expected=str(mdim), got=str(self.mdim),
                             fix="pass a matrix of the kind this method needs")
        if [s.name for s in space.specs] != self.space.names or any(
                a.shape != b.shape for a, b in zip(space.specs, self.space.specs)):
            raise InputError(f"{what}: built for parameters {self.space.names} with other shapes")
        return self.magnitude({s.name: s.unit for s in space.specs}, loss_unit)

    def inverse(self) -> UnitMatrix:
        """The inverse matrix, with inverse units ([θ_i][θ_j]/[L] for a Hessian's inverse)."""
        return UnitMatrix(np.linalg.inv(self.values), self.space, self.mdim.inverse(), self.loss_unit)

    def __repr__(self) -> str:
        lines = [f"UnitMatrix({self.space.size}×{self.space.size}, entry units {self.mdim})"]
        for a in self.space.names:
            for b in self.space.names:
                blk = self.values[self.space.by_name[a].slice, self.space.by_name[b].slice]
                lines.append(f"  [{a}, {b}] in {fmt(self.block_unit(a, b))}: "
                             f"{np.array2string(blk, precision=4, threshold=6)}")
        return "\n".join(lines)
