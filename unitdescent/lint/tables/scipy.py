"""Unit tables of scipy.optimize: minimize's methods, least_squares and curve_fit."""

from __future__ import annotations

from .base import (DIMENSIONLESS, GRADIENT, INACTIVE, LOSS, PARAM, RESIDUAL, Spec, anything,
                   choice, flag, integer, num)

_FD = ("jac", (True, "analytic", "2-point", "3-point", "cs"), INACTIVE)


def _fd_eps(default=1.4901161193847656e-08):
    return num("eps", PARAM, default, scope="global", when=(_FD,),
               note="absolute finite-difference step when jac is not given")


_JAC = anything("jac", None, scope="global", note="true/'analytic' when you pass jac")
_MAXITER = integer("maxiter", None, scope="global")
_DISP = anything("disp", False, scope="global")
_TRUST = [num("initial_trust_radius", PARAM, 1.0, scope="global", norm="step",
              note="‖step‖ ≤ radius over all parameters"),
          num("max_trust_radius", PARAM, 1000.0, scope="global", norm="step"),
          num("eta", DIMENSIONLESS, 0.15, scope="global"),
          num("gtol", GRADIENT, 1e-4, scope="global", norm="gradient"),
          num("tol", GRADIENT, None, scope="global", norm="gradient", note="sets gtol"),
          _MAXITER, _DISP, _JAC, anything("return_all", False, scope="global")]


def _scipy(method, update, hypers, **kw):
    return Spec(f"scipy.optimize.minimize:{method}", update, tuple(hypers), lr="", **kw)


SCIPY = [
    _scipy("BFGS", "d = −H·g with H₀ = I (or hess_inv0); θ ← θ + α·d (Wolfe line search)", [
        num("gtol", GRADIENT, 1e-5, scope="global", norm="gradient",
            note="‖g‖ (inf-norm by default) ≤ gtol"),
        num("tol", GRADIENT, None, scope="global", norm="gradient", note="sets gtol"),
        num("norm", DIMENSIONLESS, float("inf"), scope="global"), _fd_eps(),
        num("xrtol", DIMENSIONLESS, 0, scope="global"),
        num("c1", DIMENSIONLESS, 1e-4, scope="global"),
        num("c2", DIMENSIONLESS, 0.9, scope="global"),
        num("finite_diff_rel_step", DIMENSIONLESS, None, scope="global"),
        anything("hess_inv0", None, scope="global",
                 note="[θ_i][θ_j]/[L]; the default identity assumes unit curvature"),
        _MAXITER, _DISP, _JAC, anything("return_all", False, scope="global")],
           hidden=(("H₀ = I (without hess_inv0): a preconditioner [θ_i][θ_j]/[L] set to 1 in "
                    "whatever units the parameters and loss have", "hess_inv0"),)),
    _scipy("L-BFGS-B", "d = −H·g (compact L-BFGS, H₀ = θ⁻¹I from sᵀy/yᵀy); projected line search", [
        num("ftol", DIMENSIONLESS, 2.220446049250313e-09, scope="global", issue="UD202",
            also=(LOSS,),
            note="(f_k − f_{k+1})/max(|f_k|, |f_{k+1}|, 1) ≤ ftol: relative when |f| > 1, "
                 "absolute ([L]) below — the 1 is a loss scale"),
        num("gtol", GRADIENT, 1e-5, scope="global", norm="gradient",
            note="max |projected g_i| ≤ gtol"),
        num("tol", None, None, scope="global", issue="UD203", also=(DIMENSIONLESS, GRADIENT),
            note="sets ftol (relative) and gtol ([L]/[θ]) to the same number"),
        _fd_eps(1e-08), integer("maxcor", 10, scope="global"),
        integer("maxfun", 15000, scope="global"), integer("maxls", 20, scope="global"),
        num("finite_diff_rel_step", DIMENSIONLESS, None, scope="global"),
        anything("iprint", -1, scope="global"), _MAXITER, _DISP, _JAC],
           mixed=(("gradient", "the initial scaling sᵀy/yᵀy sums squared gradients over all "
                               "parameters"),)),
    _scipy("Newton-CG", "H·d = −g by CG; θ ← θ + α·d", [
        num("xtol", PARAM, 1e-5, scope="global", norm="step",
            note="Σ|Δθ_i| ≤ n·xtol: an absolute step in [θ]"),
        num("tol", PARAM, None, scope="global", norm="step", note="sets xtol"),
        num("c1", DIMENSIONLESS, 1e-4, scope="global"),
        num("c2", DIMENSIONLESS, 0.9, scope="global"),
        _fd_eps(), _MAXITER, _DISP, _JAC, anything("return_all", False, scope="global")]),
    *[_scipy(m, "min over ‖p‖ ≤ Δ of the quadratic model; Δ adapted by the ratio ρ", list(_TRUST))
      for m in ("trust-ncg", "trust-krylov", "trust-exact", "dogleg")],
    _scipy("trust-constr", "equality-constrained SQP / interior point with a trust region", [
        num("initial_tr_radius", PARAM, 1.0, scope="global", norm="step"),
        num("xtol", PARAM, 1e-8, scope="global", norm="step", note="stops when Δ < xtol"),
        num("gtol", GRADIENT, 1e-8, scope="global", norm="gradient",
            note="‖∇Lagrangian‖∞ < gtol"),
        num("barrier_tol", DIMENSIONLESS, 1e-8, scope="global"),
        num("initial_constr_penalty", DIMENSIONLESS, 1.0, scope="global",
            note="a merit-function weight; dimensionless only if constraints are scaled like "
                 "the loss"),
        num("initial_barrier_parameter", DIMENSIONLESS, 0.1, scope="global"),
        num("initial_barrier_tolerance", DIMENSIONLESS, 0.1, scope="global"),
        num("tol", None, None, scope="global", issue="UD203", also=(PARAM, GRADIENT),
            note="sets xtol ([θ]) and gtol ([L]/[θ])"),
        num("finite_diff_rel_step", DIMENSIONLESS, None, scope="global"),
        anything("sparse_jacobian", None, scope="global"), integer("verbose", 0, scope="global"),
        _MAXITER, _DISP, _JAC]),
    _scipy("Nelder-Mead", "simplex reflections; stops when the simplex is small in θ and f", [
        num("xatol", PARAM, 1e-4, scope="global", norm="step",
            note="max |θ_i − θ_0i| over the simplex"),
        num("fatol", LOSS, 1e-4, scope="global"),
        num("tol", None, None, scope="global", issue="UD203", also=(PARAM, LOSS),
            note="sets xatol ([θ]) and fatol ([L])"),
        anything("initial_simplex", None, scope="global",
                 note="the default steps 5% of θ, or 0.00025 for θ = 0 — in [θ]"),
        flag("adaptive", scope="global"), integer("maxfev", None, scope="global"),
        _MAXITER, _DISP, anything("return_all", False, scope="global")],
           hidden=("a zero start coordinate gets an initial simplex step of 0.00025 in [θ]",)),
]

_LSQ = [
    num("ftol", DIMENSIONLESS, 1e-8, scope="global", note="dF < ftol·F: relative"),
    num("xtol", None, 1e-8, scope="global", issue="UD201", also=(DIMENSIONLESS, PARAM),
        norm="step", note="‖Δθ‖ < xtol·(xtol + ‖θ‖): xtol is relative and added to ‖θ‖ ([θ])"),
    num("gtol", GRADIENT, 1e-8, scope="global", norm="gradient",
        note="‖g‖∞ < gtol (scaled by the Jacobian's column norms with x_scale='jac')"),
    anything("x_scale", 1.0, scope="global",
             note="characteristic scales in [θ] per parameter, or 'jac'; a scalar 1.0 "
                  "assumes [θ] = 1"),
    choice("loss", "linear", ("linear", "soft_l1", "huber", "cauchy", "arctan"), scope="global"),
    num("f_scale", RESIDUAL, 1.0, scope="global", when=(("loss", ("linear",), INACTIVE),),
        note="the residual scale of a robust loss: residual units [L]^½"),
    num("diff_step", DIMENSIONLESS, None, scope="global", note="relative step"),
    choice("method", "trf", ("trf", "dogbox", "lm"), scope="global"),
    choice("tr_solver", None, (None, "exact", "lsmr"), scope="global"),
    anything("tr_options", None, scope="global"), integer("max_nfev", None, scope="global"),
    integer("verbose", 0, scope="global"), anything("jac", "2-point", scope="global"),
    anything("bounds", None, scope="global", note="in [θ]"),
]
SCIPY += [
    Spec("scipy.optimize.least_squares", "trust-region Gauss–Newton on L = ½Σr², [r] = [L]^½",
         tuple(_LSQ), lr="", notes=("The loss units are those of ½Σr²: declare loss = '<residual "
                             "units>**2'.",)),
    Spec("scipy.optimize.curve_fit", "least_squares (or leastsq) on r = (y − f(x, θ))/σ",
         (anything("p0", None, scope="global",
                   note="the start in [θ] per parameter; without it every θ starts at 1"),
          num("sigma", RESIDUAL, None, scope="global", note="in the units of y ([L]^½)"),
          flag("absolute_sigma", scope="global"), flag("check_finite", True, scope="global"),
          anything("nan_policy", None, scope="global"), flag("full_output", scope="global"),
          integer("maxfev", None, scope="global"))
         + tuple(_LSQ), lr="",
         notes=("Declare loss = '<units of y>**2' (the loss is ½Σ(y − f)² before σ).",),
         hidden=("without p0 every parameter starts at 1 in whatever units it has",)),
]


