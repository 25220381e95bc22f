"""The unit tables as data: well formed, one source of truth with the engine, and the known
differences between libraries recorded."""

import pytest

import unitdescent as ud
from unitdescent.dims import CURVATURE, DIMENSIONLESS, GRADIENT, Dim
from unitdescent.lint import tables
from unitdescent.lint.rules import RULES
from unitdescent.lint.tables import GRADIENT_SQ, INV_PARAM, all_specs, lookup, suggest

SPECS = all_specs()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_table_is_well_formed(name):
    spec = SPECS[name]
    assert spec.role in ("optimizer", "scheduler", "transform") and spec.update
    names = [h.name for h in spec.hypers]
    assert len(names) == len(set(names)), "duplicate hyperparameter"
    if spec.role == "optimizer" and not name.startswith("scipy."):
        if name.startswith("unitdescent.") and "lr" not in ud.METHODS[name[12:]].option_names():
            assert spec.lr == ""  # e.g. bfgs, lbfgs: the line search sets the step length
        else:
            assert spec.hyper(spec.lr) is not None, "no learning rate entry"
    if name.startswith("scipy."):
        assert spec.lr == "" and all(h.scope == "global" for h in spec.hypers)
    for h in spec.hypers:
        assert h.kind in ("number", "pair", "bool", "int", "choice", "any")
        assert h.scope in ("group", "global") and h.norm in ("", "gradient", "step")
        if h.kind in ("number", "pair"):
            assert isinstance(h.dim, Dim) or h.dim == tables.LR or (h.dim is None and h.also), h
        if h.issue:
            assert RULES[h.issue].severity == "warning" and h.also and h.note
        if h.required:
            assert h.default is None
        for option, values, dim in h.when:
            assert spec.hyper(option) is not None and isinstance(values, tuple)
            assert isinstance(dim, Dim) or dim == tables.INACTIVE
        if h.family:
            assert h.family in ("weight_decay", "eps")


def test_weight_decay_has_three_signatures_across_libraries():
    dims = {h.dim_for({}) for s in SPECS.values() for h in s.hypers
            if h.family == "weight_decay"}
    assert dims == {CURVATURE, INV_PARAM, DIMENSIONLESS}
    assert lookup("torch.optim.Adam").hyper("weight_decay").dim == CURVATURE
    assert lookup("optax.adamw").hyper("weight_decay").dim == INV_PARAM
    assert lookup("optax.adafactor").hyper("weight_decay_rate").dim == DIMENSIONLESS
    nadam = lookup("torch.optim.NAdam").hyper("weight_decay")
    assert nadam.dim_for({"decoupled_weight_decay": True}) == INV_PARAM


def test_eps_conventions_differ_between_libraries():
    assert lookup("torch.optim.RMSprop").hyper("eps").dim == GRADIENT
    assert lookup("optax.rmsprop").hyper("eps").dim_for({}) == GRADIENT_SQ
    assert lookup("optax.rmsprop").hyper("eps").dim_for({"eps_in_sqrt": False}) == GRADIENT
    assert lookup("torch.optim.Adagrad").hyper("eps").dim == GRADIENT
    assert lookup("optax.adagrad").hyper("eps").dim == GRADIENT_SQ


def test_intrinsic_inconsistencies_are_recorded():
    assert lookup("torch.optim.Adadelta").hyper("eps").issue == "UD201"
    assert lookup("torch.optim.RAdam").hyper("lr").issue == "UD202"
    assert lookup("torch.optim.LBFGS").hyper("tolerance_change").issue == "UD203"
    assert lookup("scipy.optimize.least_squares").hyper("xtol").issue == "UD201"
    assert lookup("torch.nn.utils.clip_grad_norm_").hyper("max_norm").norm == "gradient"


def test_unitdescent_tables_are_the_engine_signatures():
    for method, cls in ud.METHODS.items():
        spec = lookup(f"unitdescent.{method}")
        for name, dim in cls.signature.items():
            expected = dim.diagonal() if isinstance(dim, ud.MatrixDim) else dim
            assert spec.hyper(name).dim == expected
        assert {h.name for h in spec.hypers if h.required} == set(cls.required)


def test_names_and_suggestions():
    assert lookup("scipy.optimize.minimize:l-bfgs-b").name == "scipy.optimize.minimize:L-BFGS-B"
    assert lookup("unitdescent:Adam").name == "unitdescent.adam"
    assert lookup(42) is None and lookup("torch.optim.adam") is None
    assert suggest("torch.optim.adam") == "torch.optim.Adam"
    assert suggest("optax.adamW") == "optax.adamw"
    assert suggest("RMSprop") in ("torch.optim.RMSprop", "optax.rmsprop")
    assert suggest("StepLR", "scheduler") == "torch.optim.lr_scheduler.StepLR"


def test_ud_lint_is_the_package_and_the_function():
    import unitdescent.lint as package

    assert ud.lint is package and callable(ud.lint)
    assert "lint" in ud.__all__
    cfg = {"loss": "J", "groups": [{"name": "w", "units": "m"}],
           "optimizer": {"name": "torch.optim.SGD", "lr": 0.1}}
    assert [d.code for d in ud.lint(cfg)] == [d.code for d in package.lint(cfg)] == ["UD101"]


def test_lr_units_aliases_agree_with_the_tables():
    """ud.lr_units(rule=...) and the linter's tables give the same learning-rate units."""
    from unitdescent.signatures import LR_ALIASES, hyper_dim

    torch_names = {"sgd": "SGD", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
                   "rmsprop": "RMSprop", "adagrad": "Adagrad"}
    for alias, torch_name in torch_names.items():
        assert alias in LR_ALIASES
        assert lookup(f"torch.optim.{torch_name}").hyper("lr").dim == hyper_dim(alias)
    assert str(ud.lr_units("m", "J", "rmsprop")) == "meter"
