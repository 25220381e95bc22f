"""Unit tables of optax optimizers and gradient transforms."""

from __future__ import annotations

from .base import (ADAM_EPS, ADAM_LR, BETA, CURVATURE, DIMENSIONLESS, GRADIENT, GRADIENT_SQ,
                   INV_PARAM, LOSS, MOMENTUM, SGD_LR_, Spec, anything, choice, flag, integer, num)

_OPTAX_DTYPES = (anything("mu_dtype"), anything("accumulator_dtype"), anything("mask"))


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

