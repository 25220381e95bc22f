"""Unit tables of optimizers: the units each hyperparameter needs, in terms of [θ] and [L].

Every entry is derived from the library's actual update rule (written in ``update``); [θ] is
the units of a parameter group and [L] the loss units, so a gradient has [L]/[θ]. Where the
engine of unitdescent runs the same rule (SGD → ``gd``/``momentum``, Adam), the entry *is* the
engine's declared signature (``METHODS[...].signature``): one source of truth for the engine's
set-up check, the linter and ``explain``. Known intrinsic inconsistencies of the algorithms are
recorded beside the entry (``issue``) and become warnings of the linter.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..dims import CURVATURE, DIMENSIONLESS, GRADIENT, LOSS, PARAM, Dim, MatrixDim
from ..rules import METHODS

#: the units of a squared gradient ([L]/[θ])², e.g. an eps added *inside* a square root
GRADIENT_SQ = GRADIENT ** 2
#: 1/[θ]: a decoupled weight decay multiplied by an Adam-style lr [θ]
INV_PARAM = Dim(-1, 0)
#: [θ]²: the units of a squared step
PARAM_SQ = Dim(2, 0)
#: a residual of a least-squares loss L = ½Σr² has units [L]^½
RESIDUAL = Dim(0, "1/2")
#: placeholder dim: "the units of the optimizer's learning rate" (schedulers)
LR = "lr"
#: placeholder dim: the hyperparameter has no effect with the current options
INACTIVE = "inactive"


def core(method: str, name: str) -> Dim:
    """The engine's declared units of hyperparameter ``name`` of rule ``method``."""
    return METHODS[method].signature[name]


#: the convention families used to explain a mismatch (weight decay, eps)
WEIGHT_DECAY_CONVENTIONS = {
    CURVATURE: "coupled: added to the gradient (torch.optim.SGD/Adam/…, optax.add_decayed_weights "
               "before the optimizer, optax.lars), units [L]/[θ]²",
    INV_PARAM: "decoupled and multiplied by an Adam-style lr (torch.optim.AdamW, optax.adamw, "
               "optax.lion, optax.lamb, optax.novograd), units 1/[θ]",
    DIMENSIONLESS: "decoupled after the learning rate (optax.adafactor's weight_decay_rate), "
                   "dimensionless",
}
EPS_CONVENTIONS = {
    GRADIENT: "added to √v, outside the square root (torch.optim.*, optax.adam, "
              "optax.rmsprop with eps_in_sqrt=False), units [L]/[θ]",
    GRADIENT_SQ: "added to v, inside the square root (optax.rmsprop, optax.adagrad, "
                 "optax.adafactor, eps_root), units [L]²/[θ]²",
}


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: its units and what the linter must know about it.

    kind : "number" | "pair" (a sequence of numbers with the same units) | "bool" | "int" |
        "choice" | "any"
    dim : Dim, ``LR`` (the optimizer's lr units), or None (no single units: see ``also``)
    scope : "group" (one value per parameter group is possible) or "global" (one value for
        all parameters)
    norm : "" or "gradient"/"step": the value is compared with a norm (or max) taken over all
        parameters of its scope, so parameters of different units cannot share it
    when : ((option, values, dim), ...): other units (or ``INACTIVE``) when ``option`` takes
        one of ``values``
    family : "weight_decay" or "eps" — conventions that differ between libraries
    issue : code of the warning rule for an intrinsic inconsistency ("UD201", ...)
    also : further units the value enters in (for ``issue``)
    """

    name: str
    dim: Any = None
    default: Any = None
    kind: str = "number"
    scope: str = "group"
    norm: str = ""
    when: tuple = ()
    family: str = ""
    issue: str = ""
    also: tuple = ()
    required: bool = False
    choices: tuple = ()
    note: str = ""

    def dim_for(self, options: dict):
        """The units this hyperparameter needs given the other options' values."""
        for option, values, dim in self.when:
            if options.get(option) in values:
                return dim
        return self.dim


@dataclass(frozen=True)
class Spec:
    """The unit table of one optimizer, scheduler or gradient transform."""

    name: str
    update: str
    hypers: tuple
    role: str = "optimizer"  # "optimizer" | "scheduler" | "transform"
    lr: str = "lr"  # the name of the learning-rate hyperparameter ("" if there is none)
    notes: tuple = ()
    #: norms the algorithm takes over *all* parameters internally: ((kind, note), ...)
    mixed: tuple = ()
    #: dimensional constants hard-coded in the library (not options): text, or
    #: (text, option) when giving ``option`` replaces the constant
    hidden: tuple = ()
    by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_name.update({h.name: h for h in self.hypers})

    def hyper(self, name: str):
        return self.by_name.get(name)


def num(name, dim, default=None, **kw):
    return Hyper(name, dim, default, **kw)


def pair(name, dim, default, **kw):
    return Hyper(name, dim, default, kind="pair", **kw)


def flag(name, default=False, **kw):
    return Hyper(name, None, default, kind="bool", **kw)


def integer(name, default=None, **kw):
    return Hyper(name, None, default, kind="int", **kw)


def choice(name, default, choices, **kw):
    return Hyper(name, None, default, kind="choice", choices=tuple(choices), **kw)


def anything(name, default=None, **kw):
    return Hyper(name, None, default, kind="any", **kw)


# ---------------------------------------------------------------- shared entries
SGD_LR_ = core("gd", "lr")  # [θ]²/[L]
ADAM_LR = core("adam", "lr")  # [θ]
ADAM_EPS = core("adam", "eps")  # [L]/[θ]
BETA = core("adam", "beta1")  # dimensionless
MOMENTUM = core("momentum", "beta")
DAMPENING = core("momentum", "dampening")

_TORCH_FLAGS = (flag("maximize"), anything("foreach"), flag("differentiable"),
                flag("capturable"), anything("fused"))
_BETAS = pair("betas", BETA, (0.9, 0.999), note="EMA factors of m and v")
_COUPLED_WD = num("weight_decay", CURVATURE, 0, family="weight_decay",
                  note="coupled: g ← g + wd·θ, like the L2 penalty (wd/2)‖θ‖² in the loss")
_DECOUPLED_WD = ("decoupled_weight_decay", (True,), INV_PARAM)
_OPTAX_DTYPES = (anything("mu_dtype"), anything("accumulator_dtype"), anything("mask"))


def _torch(name, update, hypers, **kw):
    return Spec(f"torch.optim.{name}", update, tuple(hypers) + _TORCH_FLAGS, **kw)


TORCH = [
    _torch("SGD", "v ← μ·v + (1−dampening)·(g + wd·θ); θ ← θ − lr·v (Nesterov: lr·(g + μ·v))", [
        num("lr", SGD_LR_, 1e-3, note="as in unitdescent's gd/momentum: the step is lr·g"),
        num("momentum", MOMENTUM, 0), num("dampening", DAMPENING, 0), _COUPLED_WD,
        flag("nesterov")]),
    _torch("Adam", "θ ← θ − lr·m̂/(√v̂ + eps), m, v from g + wd·θ", [
        num("lr", ADAM_LR, 1e-3), _BETAS,
        num("eps", ADAM_EPS, 1e-8, family="eps", note="added to √v̂: gradient units"),
        _COUPLED_WD, flag("amsgrad")]),
    _torch("AdamW", "θ ← θ − lr·wd·θ − lr·m̂/(√v̂ + eps)", [
        num("lr", ADAM_LR, 1e-3), _BETAS, num("eps", ADAM_EPS, 1e-8, family="eps"),
        num("weight_decay", INV_PARAM, 1e-2, family="weight_decay",
            note="decoupled: lr·wd·θ must be [θ], so wd is 1/[lr] = 1/[θ]"),
        flag("amsgrad")]),
    _torch("Adamax", "u ← max(β₂·u, |g| + eps); θ ← θ − lr·m̂/u", [
        num("lr", ADAM_LR, 2e-3), _BETAS, num("eps", ADAM_EPS, 1e-8, family="eps"),
        _COUPLED_WD]),
    _torch("NAdam", "Adam with Nesterov momentum and a momentum schedule (momentum_decay)", [
        num("lr", ADAM_LR, 2e-3), _BETAS, num("eps", ADAM_EPS, 1e-8, family="eps"),
        num("weight_decay", CURVATURE, 0, family="weight_decay", when=(_DECOUPLED_WD,),
            note="coupled, or 1/[θ] with decoupled_weight_decay=True"),
        num("momentum_decay", DIMENSIONLESS, 4e-3, note="per step"),
        flag("decoupled_weight_decay")]),
    _torch("RAdam", "ρₜ > 5: θ ← θ − lr·rₜ·m̂/(√v̂ + eps); else θ ← θ − lr·m̂", [
        num("lr", ADAM_LR, 1e-3, issue="UD202", also=(SGD_LR_,),
            note="[θ] once the variance is tractable (ρₜ > 5), but lr·m̂ needs [θ]²/[L] in the "
                 "first steps (about 5 with β₂ = 0.999)"),
        _BETAS, num("eps", ADAM_EPS, 1e-8, family="eps"),
        num("weight_decay", CURVATURE, 0, family="weight_decay", when=(_DECOUPLED_WD,)),
        flag("decoupled_weight_decay")]),
    _torch("RMSprop", "v ← α·v + (1−α)·g²; θ ← θ − lr·g/(√v + eps) (with momentum: buffered)", [
        num("lr", ADAM_LR, 1e-2), num("alpha", DIMENSIONLESS, 0.99),
        num("eps", ADAM_EPS, 1e-8, family="eps",
            note="outside the square root; optax.rmsprop puts it inside"),
        _COUPLED_WD, num("momentum", MOMENTUM, 0, note="buffers the dimensionless g/(√v+eps)"),
        flag("centered")]),
    _torch("Adagrad", "s ← s + g²; θ ← θ − lr/(1+(t−1)·lr_decay)·g/(√s + eps)", [
        num("lr", ADAM_LR, 1e-2), num("lr_decay", DIMENSIONLESS, 0, note="per step"),
        _COUPLED_WD, num("initial_accumulator_value", GRADIENT_SQ, 0),
        num("eps", ADAM_EPS, 1e-10, family="eps",
            note="outside the square root; optax.adagrad puts it inside")]),
    _torch("Adadelta", "v ← ρv + (1−ρ)g²; Δ = √(u + eps)/√(v + eps)·g; u ← ρu + (1−ρ)Δ²; "
                       "θ ← θ − lr·Δ", [
        num("lr", DIMENSIONLESS, 1.0, note="Δ already has units [θ]"),
        num("rho", DIMENSIONLESS, 0.9),
        num("eps", None, 1e-6, issue="UD201", also=(GRADIENT_SQ, PARAM_SQ),
            note="added to v ([L]²/[θ]²) and to u ([θ]²): one number in two units; at the "
                 "first step u = 0, so √eps/√eps sets the step size"),
        _COUPLED_WD]),
    _torch("Rprop", "step ← clamp(step·η±, step_sizes); θ ← θ − sign(g)·step", [
        num("lr", PARAM, 1e-2, note="the initial step of every parameter"),
        pair("etas", DIMENSIONLESS, (0.5, 1.2)),
        pair("step_sizes", PARAM, (1e-6, 50), note="minimal and maximal step, [θ]")]),
    _torch("ASGD", "η = lr/(1 + λ·lr·t)^α; θ ← θ(1 − λη) − η·(g + wd·θ); averaged after t0", [
        num("lr", SGD_LR_, 1e-2), num("lambd", CURVATURE, 1e-4, note="λ·η is dimensionless"),
        num("alpha", DIMENSIONLESS, 0.75), num("t0", DIMENSIONLESS, 1e6, note="a step count"),
        _COUPLED_WD]),
    Spec("torch.optim.LBFGS",
         "first step t = min(1, 1/‖g‖₁)·lr along −g; then d = −H·g with H₀ = (sᵀy/yᵀy)·I, t = lr", (
             num("lr", DIMENSIONLESS, 1, scope="global", issue="UD202", also=(PARAM, SGD_LR_),
                 note="dimensionless along the quasi-Newton direction; in the first step "
                      "t·g needs [θ] (lr/‖g‖₁ when ‖g‖₁ > 1) or [θ]²/[L] (when ‖g‖₁ ≤ 1)"),
             integer("max_iter", 20, scope="global"), integer("max_eval", None, scope="global"),
             num("tolerance_grad", GRADIENT, 1e-7, scope="global", norm="gradient",
                 note="max |g_i| ≤ tolerance_grad"),
             num("tolerance_change", None, 1e-9, scope="global", issue="UD203",
                 also=(PARAM, LOSS), norm="step",
                 note="compared with max |Δθ_i| ([θ]) and with |Δloss| ([L])"),
             integer("history_size", 100, scope="global"),
             choice("line_search_fn", None, (None, "strong_wolfe"), scope="global")),
         notes=("LBFGS supports one parameter group only: every option is global.",),
         mixed=(("gradient", "H₀ = (sᵀy/yᵀy)·I sums squared gradients over all parameters"),
                ("gradient", "the first step divides by ‖g‖₁ over all parameters")),
         hidden=("a curvature pair is kept only if sᵀy > 1e-10 — a constant in [L]",)),
    _torch("SparseAdam", "Adam on the non-zero rows of a sparse gradient", [
        num("lr", ADAM_LR, 1e-3), _BETAS, num("eps", ADAM_EPS, 1e-8, family="eps")]),
]

TORCH_TRANSFORMS = [
    Spec("torch.nn.utils.clip_grad_norm_",
         "g ← g·min(1, max_norm/(‖g‖ + 1e-6)) over all gradients passed in one call", (
        num("max_norm", GRADIENT, None, required=True, norm="gradient",
            note="one norm over every gradient passed in one call"),
        num("norm_type", DIMENSIONLESS, 2.0), flag("error_if_nonfinite"), anything("foreach")),
         role="transform",
         hidden=("the clip coefficient is max_norm/(‖g‖ + 1e-6): a constant in [L]/[θ]",)),
    Spec("torch.nn.utils.clip_grad_value_", "g ← clamp(g, −clip_value, clip_value)", (
        num("clip_value", GRADIENT, None, required=True), anything("foreach")), role="transform"),
]

_LAST = integer("last_epoch", -1)
TORCH_SCHEDULERS = [
    Spec("torch.optim.lr_scheduler." + name, update, tuple(hypers) + (_LAST,), role="scheduler")
    for name, update, hypers in [
        ("StepLR", "lr ← lr·γ every step_size epochs",
         [integer("step_size", None, required=True), num("gamma", DIMENSIONLESS, 0.1)]),
        ("MultiStepLR", "lr ← lr·γ at each milestone",
         [anything("milestones"), num("gamma", DIMENSIONLESS, 0.1)]),
        ("ExponentialLR", "lr ← lr·γ", [num("gamma", DIMENSIONLESS, None, required=True)]),
        ("LambdaLR", "lr = lr₀·λ(epoch)", [anything("lr_lambda")]),
        ("MultiplicativeLR", "lr ← lr·λ(epoch)", [anything("lr_lambda")]),
        ("LinearLR", "lr = lr₀·factor, factor linear from start_factor to end_factor",
         [num("start_factor", DIMENSIONLESS, 1 / 3), num("end_factor", DIMENSIONLESS, 1.0),
          integer("total_iters", 5)]),
        ("ConstantLR", "lr = lr₀·factor for total_iters epochs",
         [num("factor", DIMENSIONLESS, 1 / 3), integer("total_iters", 5)]),
        ("PolynomialLR", "lr = lr₀·(1 − t/T)^power",
         [integer("total_iters", 5), num("power", DIMENSIONLESS, 1.0)]),
        ("CosineAnnealingLR", "lr = eta_min + (lr₀ − eta_min)(1 + cos(πt/T_max))/2",
         [integer("T_max", None, required=True),
          num("eta_min", LR, 0.0, scope="global", note="one value for every group")]),
        ("CosineAnnealingWarmRestarts", "cosine annealing restarted after T_0, T_0·T_mult, …",
         [integer("T_0", None, required=True), integer("T_mult", 1),
          num("eta_min", LR, 0.0, scope="global")]),
        ("OneCycleLR", "lr rises from max_lr/div_factor to max_lr, then decays",
         [num("max_lr", LR, None, required=True, note="a list per group is allowed"),
          integer("total_steps"), integer("epochs"), integer("steps_per_epoch"),
          num("pct_start", DIMENSIONLESS, 0.3), choice("anneal_strategy", "cos", ("cos", "linear")),
          flag("cycle_momentum", True), num("base_momentum", DIMENSIONLESS, 0.85),
          num("max_momentum", DIMENSIONLESS, 0.95), num("div_factor", DIMENSIONLESS, 25.0),
          num("final_div_factor", DIMENSIONLESS, 1e4), flag("three_phase")]),
        ("CyclicLR", "lr cycles between base_lr and max_lr",
         [num("base_lr", LR, None, required=True), num("max_lr", LR, None, required=True),
          integer("step_size_up", 2000), integer("step_size_down"),
          choice("mode", "triangular", ("triangular", "triangular2", "exp_range")),
          num("gamma", DIMENSIONLESS, 1.0), anything("scale_fn"),
          choice("scale_mode", "cycle", ("cycle", "iterations")), flag("cycle_momentum", True),
          num("base_momentum", DIMENSIONLESS, 0.8), num("max_momentum", DIMENSIONLESS, 0.9)]),
        ("ReduceLROnPlateau", "lr ← max(lr·factor, min_lr) when the metric stops improving",
         [choice("mode", "min", ("min", "max")), num("factor", DIMENSIONLESS, 0.1),
          integer("patience", 10),
          num("threshold", DIMENSIONLESS, 1e-4, when=(("threshold_mode", ("abs",), LOSS),),
              note="relative (dimensionless) by default; with threshold_mode='abs' in the "
                   "metric's units (taken as [L])"),
          choice("threshold_mode", "rel", ("rel", "abs")), integer("cooldown", 0),
          num("min_lr", LR, 0, note="a list per group is allowed"),
          num("eps", LR, 1e-8, scope="global",
              note="an lr change smaller than eps is ignored: lr units"),
          flag("verbose")]),
    ]
]


def _optax(name, update, hypers, lr_dim=ADAM_LR, lr_default=None, lr_name="learning_rate",
           lr_required=True, **kw):
    lr = num(lr_name, lr_dim, lr_default, required=lr_required and lr_default is None,
             note=kw.pop("lr_note", ""), when=kw.pop("lr_when", ()))
    return Spec(f"optax.{name}", update, (lr,) + tuple(hypers) + _OPTAX_DTYPES, lr=lr_name, **kw)


_OPTAX_EPS_ROOT = num("eps_root", GRADIENT_SQ, 0.0, family="eps", note="added to v̂ inside √")
OPTAX = [
    _optax("sgd", "v ← μ·v + g; θ ← θ − lr·v", [
        num("momentum", MOMENTUM, None), flag("nesterov")], lr_dim=SGD_LR_),
    _optax("adam", "θ ← θ − lr·m̂/(√(v̂ + eps_root) + eps)", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.999),
        num("eps", ADAM_EPS, 1e-8, family="eps"), _OPTAX_EPS_ROOT, flag("nesterov")]),
    _optax("adamw", "θ ← θ − lr·(m̂/(√(v̂ + eps_root) + eps) + wd·θ)", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.999),
        num("eps", ADAM_EPS, 1e-8, family="eps"), _OPTAX_EPS_ROOT,
        num("weight_decay", INV_PARAM, 1e-4, family="weight_decay",
            note="added to the dimensionless Adam direction: 1/[θ]"),
        flag("nesterov")]),
    _optax("adabelief", "s ← β₂s + (1−β₂)(g − m)² + eps_root; θ ← θ − lr·m̂/(√ŝ + eps)", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.999),
        num("eps", ADAM_EPS, 1e-16, family="eps"),
        num("eps_root", GRADIENT_SQ, 1e-16, family="eps"), flag("nesterov")]),
    _optax("novograd", "per layer: v ← β₂v + (1−β₂)‖g‖²; u = g/(√(v + eps_root) + eps) + wd·θ; "
                       "m ← β₁m + u; θ ← θ − lr·m", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.25),
        num("eps", ADAM_EPS, 1e-6, family="eps"), _OPTAX_EPS_ROOT,
        num("weight_decay", INV_PARAM, 0.0, family="weight_decay")],
           notes=("The layer norm ‖g‖ is taken per array: an array must not mix units.",)),
    _optax("lion", "θ ← θ − lr·(sign(β₁m + (1−β₁)g) + wd·θ)", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.99),
        num("weight_decay", INV_PARAM, 1e-3, family="weight_decay")]),
    _optax("adafactor",
           "u = g/√(factored v + eps), clipped by block RMS; u ← lr·u·max(min_scale, RMS(θ)) "
           "(multiply_by_parameter_scale); u ← u + wd·θ; θ ← θ − u", [
               integer("min_dim_size_to_factor", 128), num("decay_rate", DIMENSIONLESS, 0.8),
               integer("decay_offset", 0), flag("multiply_by_parameter_scale", True),
               num("clipping_threshold", DIMENSIONLESS, 1.0, note="on the RMS of g/√v"),
               num("momentum", MOMENTUM, None),
               num("weight_decay_rate", DIMENSIONLESS, None, family="weight_decay",
                   note="added after the lr scaling: u has [θ], so wd·θ needs a dimensionless wd"),
               num("eps", GRADIENT_SQ, 1e-30, family="eps", note="added to g² inside the √"),
               flag("factored", True), anything("weight_decay_mask"), anything("dtype_momentum")],
           lr_dim=DIMENSIONLESS, lr_required=False,
           lr_when=(("multiply_by_parameter_scale", (False,), ADAM_LR),),
           lr_note="dimensionless with multiply_by_parameter_scale (the step is scaled by "
                   "RMS(θ)); [θ] without it",
           hidden=("scale_by_param_block_rms uses min_scale = 1e-3 in parameter units "
                   "(with multiply_by_parameter_scale)",)),
    _optax("lamb", "u = m̂/(√(v̂ + eps_root) + eps) + wd·θ; θ ← θ − lr·(‖θ‖/‖u‖)·u", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.999),
        num("eps", ADAM_EPS, 1e-6, family="eps"), _OPTAX_EPS_ROOT,
        num("weight_decay", INV_PARAM, 0.0, family="weight_decay")],
           lr_dim=DIMENSIONLESS,
           lr_note="the trust ratio ‖θ‖/‖u‖ gives the step units [θ]",
           hidden=("the trust ratio falls back to 1 when ‖θ‖ = 0 or ‖u‖ = 0: a dimensionless "
                   "1 where [θ] is needed",)),
    _optax("lars", "u = g + wd·θ; θ ← θ − lr·momentum(tc·‖θ‖/(‖u‖ + eps)·u)", [
        num("weight_decay", CURVATURE, 0.0, family="weight_decay",
            note="added to the gradient: coupled"),
        anything("weight_decay_mask", True),
        num("trust_coefficient", DIMENSIONLESS, 0.001),
        num("eps", ADAM_EPS, 0.0, family="eps", note="added to ‖u‖"),
        anything("trust_ratio_mask", True), num("momentum", MOMENTUM, 0.9), flag("nesterov")],
           lr_dim=DIMENSIONLESS, lr_note="the trust ratio gives the step units [θ]"),
    _optax("yogi", "v ← v − (1−β₂)·sign(v − g²)·g²; θ ← θ − lr·m̂/(√v̂ + eps)", [
        num("b1", BETA, 0.9), num("b2", BETA, 0.999),
        num("eps", ADAM_EPS, 1e-3, family="eps")],
           hidden=("scale_by_yogi starts v at initial_accumulator_value = 1e-6, in [L]²/[θ]²",)),
    _optax("rmsprop", "v ← d·v + (1−d)·g²; θ ← θ − lr·g/√(v + eps) (eps_in_sqrt) or g/(√v + eps)", [
        num("decay", DIMENSIONLESS, 0.9),
        num("eps", GRADIENT_SQ, 1e-8, family="eps",
            when=(("eps_in_sqrt", (False,), ADAM_EPS),),
            note="inside the square root by default ([L]²/[θ]²), unlike torch.optim.RMSprop"),
        num("initial_scale", GRADIENT_SQ, 0.0, note="the initial v"),
        flag("eps_in_sqrt", True), flag("centered"), num("momentum", MOMENTUM, None),
        flag("nesterov"), flag("bias_correction")]),
    _optax("adagrad", "s ← s + g²; θ ← θ − lr·g/√(s + eps)", [
        num("initial_accumulator_value", GRADIENT_SQ, 0.1, note="the initial s"),
        num("eps", GRADIENT_SQ, 1e-7, family="eps",
            note="inside the square root, unlike torch.optim.Adagrad")]),
    _optax("sm3", "v ← max over cover sets of Σg²; θ ← θ − lr·momentum(g/√(v + eps))", [
        num("momentum", MOMENTUM, 0.9)],
           hidden=("scale_by_sm3 adds eps = 1e-8 to v inside the square root: [L]²/[θ]²",)),
    _optax("polyak_sgd", "θ ← θ − scaling·min((f − f_min)/(‖g‖² + eps), max_lr)·g", [
        num("scaling", DIMENSIONLESS, 1.0), num("f_min", LOSS, 0.0),
        num("eps", GRADIENT_SQ, 0.0, note="added to ‖g‖²"),
        choice("variant", "sps", ("sps", "sps+"))],
           lr_dim=SGD_LR_, lr_default=1.0, lr_name="max_learning_rate",
           lr_note="the cap of the Polyak step size",
           mixed=(("gradient", "the Polyak step (f − f_min)/‖g‖² sums squared gradients over "
                               "all parameters"),)),
    _optax("lbfgs", "d = −H·g (two-loop, H₀ = (sᵀy/yᵀy)·I); θ ← θ + lr·α·d (zoom line search)", [
        integer("memory_size", 10), flag("scale_init_precond", True), anything("linesearch")],
           lr_dim=DIMENSIONLESS, lr_required=False,
           lr_note="a step length along a direction in [θ] (default: the line search's)",
           mixed=(("gradient", "H₀ = (sᵀy/yᵀy)·I sums squared gradients over all parameters"),)),
]
OPTAX_TRANSFORMS = [
    Spec("optax.clip", "u ← clip(u, −max_delta, max_delta) (on gradients: [L]/[θ])", (
        num("max_delta", GRADIENT, None, required=True),), role="transform"),
    Spec("optax.clip_by_global_norm", "u ← u·min(1, max_norm/‖u‖) over every leaf", (
        num("max_norm", GRADIENT, None, required=True, norm="gradient"),), role="transform"),
    Spec("optax.clip_by_block_rms", "u ← u·min(1, threshold/RMS(u)) per leaf", (
        num("threshold", GRADIENT, None, required=True),), role="transform"),
    Spec("optax.add_decayed_weights", "u ← u + wd·θ (before the optimizer: on gradients)", (
        num("weight_decay", CURVATURE, 0.0, family="weight_decay",
            note="on gradients (before the optimizer) it is coupled: [L]/[θ]²"),
        anything("mask")), role="transform"),
]

# ---------------------------------------------------------------- scipy.optimize
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


def _engine_hypers():
    return (num("maxiter", None, 1000, kind="int"),
            num("ftol", LOSS, None, note="loss change, [L]"),
            num("xtol", PARAM, None, note="step per parameter, [θ]"),
            num("ftol_rel", DIMENSIONLESS, 0.0), num("xtol_rel", DIMENSIONLESS, 1e-10),
            choice("bare", "error", ("error", "as-given")))


def _unitdescent_spec(method: str, cls) -> Spec:
    hypers = []
    defaults = {}
    for f in getattr(cls, "__dataclass_fields__", {}).values():
        defaults[f.name] = f.default
    for name in cls.option_names():
        dim = cls.signature.get(name)
        default = defaults.get(name)
        default = default if isinstance(default, (int, float, bool, str, type(None))) else None
        if dim is None:
            kind = "bool" if isinstance(default, bool) else "any"
            hypers.append(Hyper(name, None, default, kind=kind))
            continue
        note = ""
        if isinstance(dim, MatrixDim):
            note = f"full matrix {dim}; a config gives its diagonal per group"
            dim = dim.diagonal()
        hypers.append(Hyper(name, dim, default, required=name in cls.required, note=note))
    return Spec(f"unitdescent.{method}", (cls.__doc__ or method).strip().splitlines()[0],
                tuple(hypers) + _engine_hypers(), notes=("the engine checks this signature",))


TABLES: dict[str, Spec] = {s.name: s for s in TORCH + TORCH_TRANSFORMS + TORCH_SCHEDULERS
                           + OPTAX + OPTAX_TRANSFORMS + SCIPY}


def all_specs() -> dict[str, Spec]:
    """Every table, including unitdescent's own rules (read from ``METHODS`` now)."""
    out = dict(TABLES)
    for method, cls in METHODS.items():
        out[f"unitdescent.{method}"] = _unitdescent_spec(method, cls)
    return out


def _normalise(name: str) -> str:
    name = name.strip()
    if name.startswith("unitdescent:"):
        name = "unitdescent." + name.split(":", 1)[1]
    if name.startswith("scipy.optimize.minimize:"):
        head, method = name.split(":", 1)
        for m in ("BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg", "trust-krylov", "trust-exact",
                  "dogleg", "trust-constr", "Nelder-Mead"):
            if m.lower() == method.lower():
                return f"{head}:{m}"
    if name.startswith("unitdescent."):
        return name.lower()
    return name


def lookup(name: str) -> Spec | None:
    """The table of ``name`` (e.g. ``"torch.optim.Adam"``), or None."""
    if not isinstance(name, str):
        return None
    specs = all_specs()
    return specs.get(_normalise(name))


def suggest(name: str, role: str | None = None) -> str | None:
    """The closest known name, for a "did you mean"."""
    names = [n for n, s in all_specs().items() if role is None or s.role == role]
    text = str(name)
    lowered = {n.lower(): n for n in names}
    if _normalise(text).lower() in lowered:
        return lowered[_normalise(text).lower()]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    if not close:
        tail = text.rsplit(".", 1)[-1].rsplit(":", 1)[-1].lower()
        ends = [n for n in names if n.rsplit(".", 1)[-1].rsplit(":", 1)[-1].lower() == tail]
        close = ends[:1]
    return close[0] if close else None
