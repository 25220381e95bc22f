"""Unit tables of torch.optim, its lr schedulers, and torch.nn.utils gradient clipping."""

from __future__ import annotations

from .base import (ADAM_EPS, ADAM_LR, BETA, CURVATURE, DAMPENING, DIMENSIONLESS, GRADIENT,
                   GRADIENT_SQ, INV_PARAM, LOSS, LR, MOMENTUM, PARAM, PARAM_SQ, SGD_LR_, Spec,
                   anything, choice, flag, integer, num, pair)

_TORCH_FLAGS = (flag("maximize"), anything("foreach"), flag("differentiable"),
                flag("capturable"), anything("fused"))
_BETAS = pair("betas", BETA, (0.9, 0.999), note="EMA factors of m and v")
_COUPLED_WD = num("weight_decay", CURVATURE, 0, family="weight_decay",
                  note="coupled: g ← g + wd·θ, like the L2 penalty (wd/2)‖θ‖² in the loss")
_DECOUPLED_WD = ("decoupled_weight_decay", (True,), INV_PARAM)


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


