"""Every lint rule: a config that triggers it and one that does not; selection and noqa."""

import pytest

from unitdescent.lint import RULES, lint
from unitdescent.lint.rules import get, is_selected, markdown_table


def config(optimizer, groups=(("w", "m"),), loss="J", **extra):
    d = {"loss": loss, "groups": [{"name": n, "units": u} for n, u in groups],
         "optimizer": optimizer}
    d.update(extra)
    return d


def codes(cfg, **kw):
    return [d.code for d in lint(cfg, **kw)]


ADAM = {"name": "torch.optim.Adam", "lr": "1e-3 m", "eps": "1e-8 J/m"}
MIXED = (("w", "m"), ("t", "s"))
ADAM_MIXED = {"name": "torch.optim.Adam", "lr": {"w": "1e-3 m", "t": "1e-3 s"},
              "eps": {"w": "1e-8 J/m", "t": "1e-8 J/s"}}

# (code, triggering config, clean config)
CASES = [
    ("UD001", config({**ADAM, "lr": "1e-3 meterz"}), config(ADAM)),
    ("UD001", config({**ADAM, "lr": "__import__('os').system('ls')"}), config(ADAM)),
    ("UD001", config(ADAM, loss="9**9**9 J"), config(ADAM, loss="kJ")),
    ("UD002", config({**ADAM, "name": "torch.optim.Adamm"}), config(ADAM)),
    ("UD002", config(ADAM, schedulers=[{"name": "torch.optim.Adam"}]),
     config(ADAM, schedulers=[{"name": "torch.optim.lr_scheduler.StepLR", "step_size": 10}])),
    ("UD003", config({**ADAM, "lrr": "1e-3 m"}), config(ADAM)),
    ("UD004", {**config(ADAM), "optimiser": {}}, config(ADAM)),
    ("UD004", config(ADAM, groups=()) | {"groups": [{"name": "w", "unit": "m", "units": "m"}]},
     config(ADAM)),
    ("UD004", config(ADAM, lint={"selct": ["UD1"]}), config(ADAM, lint={"select": ["UD1"]})),
    ("UD005", config({**ADAM, "lr": {"x": "1e-3 m"}}), config({**ADAM, "lr": {"w": "1e-3 m"}})),
    ("UD006", config({**ADAM, "amsgrad": "yes"}), config({**ADAM, "amsgrad": True})),
    ("UD006", config({**ADAM, "lr": True}), config(ADAM)),
    ("UD006", config({**ADAM, "betas": [0.9]}), config({**ADAM, "betas": [0.9, 0.99]})),
    ("UD006", config({**ADAM, "lr": "nan m"}), config(ADAM)),
    ("UD006", config({"name": "torch.optim.LBFGS", "lr": 1,
                      "tolerance_grad": {"w": "1e-7 J/m"}}),
     config({"name": "torch.optim.LBFGS", "lr": 1, "tolerance_grad": "1e-7 J/m"})),
    ("UD006", config(ADAM, groups=(("w", "degC"),)), config(ADAM, groups=(("w", "K"),))),
    ("UD006", config(ADAM, lint={"ignore": ["UD9"]}), config(ADAM, lint={"ignore": ["UD3"]})),
    ("UD006", config(ADAM_MIXED, groups=()) | {"groups": [
        {"name": "w", "units": "m", "params": ["layer.*"]},
        {"name": "t", "units": "s", "params": ["layer.time*"]}]},
     config(ADAM_MIXED, groups=()) | {"groups": [
         {"name": "w", "units": "m", "params": ["layer.w*"]},
         {"name": "t", "units": "s", "params": ["layer.time*"]}]}),
    ("UD007", {k: v for k, v in config(ADAM).items() if k != "loss"}, config(ADAM)),
    ("UD007", config({"name": "optax.adam", "eps": "1e-8 J/m"}),
     config({"name": "optax.adam", "learning_rate": "1e-3 m", "eps": "1e-8 J/m"})),
    ("UD101", config({"name": "torch.optim.SGD", "lr": 0.01}),
     config({"name": "torch.optim.SGD", "lr": "0.01 m**2/J"})),
    ("UD102", config({**ADAM, "lr": "1e-3 m**2/J"}), config(ADAM)),
    ("UD103", config({"name": "torch.optim.AdamW", "lr": "1e-3 m", "eps": "1e-8 J/m",
                      "weight_decay": "0.01 J/m**2"}),
     config({"name": "torch.optim.AdamW", "lr": "1e-3 m", "eps": "1e-8 J/m",
             "weight_decay": "0.01 1/m"})),
    ("UD103", config({**ADAM, "weight_decay": "0.01 1/m"}),
     config({**ADAM, "weight_decay": "0.01 J/m**2"})),
    ("UD104", config({"name": "optax.rmsprop", "learning_rate": "1e-3 m", "eps": "1e-8 J/m"}),
     config({"name": "optax.rmsprop", "learning_rate": "1e-3 m", "eps": "1e-16 J**2/m**2"})),
    ("UD104", config({"name": "torch.optim.RMSprop", "lr": "1e-3 m", "eps": "1e-16 J**2/m**2"}),
     config({"name": "optax.rmsprop", "learning_rate": "1e-3 m", "eps": "1e-8 J/m",
             "eps_in_sqrt": False})),
    ("UD105", config({**ADAM_MIXED, "lr": "1e-3 m"}, groups=MIXED),
     config(ADAM_MIXED, groups=MIXED)),
    ("UD105", config(ADAM_MIXED, groups=MIXED, schedulers=[{
        "name": "torch.optim.lr_scheduler.CosineAnnealingLR", "T_max": 10, "eta_min": "1e-5 m"}]),
     config(ADAM_MIXED, groups=MIXED, schedulers=[{
         "name": "torch.optim.lr_scheduler.CosineAnnealingLR", "T_max": 10, "eta_min": 0}])),
    ("UD105", config(ADAM_MIXED, groups=MIXED, schedulers=[{
        "name": "torch.optim.lr_scheduler.OneCycleLR", "max_lr": "0.1 m"}]),
     config(ADAM_MIXED, groups=MIXED, schedulers=[{
         "name": "torch.optim.lr_scheduler.OneCycleLR", "max_lr": {"w": "0.1 m", "t": "1 s"}}])),
    ("UD106", config(ADAM_MIXED, groups=MIXED, transforms=[
        {"name": "torch.nn.utils.clip_grad_value_", "clip_value": 1}]) | {"transforms": [
            {"name": "optax.clip_by_global_norm", "max_norm": 1.0}]},
     config(ADAM_MIXED, groups=MIXED)),
    ("UD106", config({"name": "scipy.optimize.minimize:BFGS", "gtol": "1e-5 J/m"},
                     groups=MIXED),
     config({"name": "scipy.optimize.minimize:BFGS", "gtol": "1e-5 J/m"})),
    ("UD106", config({"name": "optax.lbfgs"}, groups=MIXED), config({"name": "optax.lbfgs"})),
    ("UD107", config({"name": "scipy.optimize.minimize:trust-ncg",
                      "initial_trust_radius": "1 m"}, groups=MIXED),
     config({"name": "scipy.optimize.minimize:trust-ncg", "initial_trust_radius": "1 m",
             "max_trust_radius": "10 m", "gtol": "1e-6 J/m"})),
    ("UD201", config({"name": "torch.optim.Adadelta", "eps": 1e-6}), config(ADAM)),
    ("UD201", config({"name": "scipy.optimize.least_squares"}, loss="V**2"),
     config({"name": "scipy.optimize.least_squares", "xtol": 0, "gtol": "1e-8 V**2/m"},
            loss="V**2")),
    ("UD202", config({**ADAM, "name": "torch.optim.RAdam"}), config(ADAM)),
    ("UD202", config({"name": "scipy.optimize.minimize:L-BFGS-B", "gtol": "1e-5 J/m"}),
     config({"name": "scipy.optimize.minimize:L-BFGS-B", "gtol": "1e-5 J/m", "ftol": 0})),
    ("UD203", config({"name": "torch.optim.LBFGS", "tolerance_grad": "1e-7 J/m"}),
     config({"name": "torch.optim.LBFGS", "tolerance_grad": "1e-7 J/m",
             "tolerance_change": 0})),
    ("UD203", config({"name": "scipy.optimize.minimize:Nelder-Mead", "tol": 1e-6}),
     config({"name": "scipy.optimize.minimize:Nelder-Mead", "xatol": "1e-6 m",
             "fatol": "1e-9 J"})),
    ("UD301", config({"name": "torch.optim.Adam", "lr": "1e-3 m"}), config(ADAM)),
    ("UD301", config({"name": "torch.optim.AdamW", "lr": "1e-3 m", "eps": "1e-8 J/m"}),
     config({"name": "torch.optim.AdamW", "lr": "1e-3 m", "eps": "1e-8 J/m",
             "weight_decay": "1e-2 1/m"})),
    ("UD302", config({"name": "torch.optim.LBFGS"}), config(ADAM)),
    ("UD302", config({"name": "scipy.optimize.minimize:BFGS"}),
     config({"name": "scipy.optimize.minimize:BFGS", "hess_inv0": [[1]]})),
]


@pytest.mark.parametrize("code, bad, good", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_triggers_and_clean_variant_does_not(code, bad, good):
    assert code in codes(bad, select=["ALL"])
    assert code not in codes(good, select=["ALL"])


def test_every_rule_has_a_case():
    covered = {c[0] for c in CASES} | {"UD008", "UD303"}  # these two need text (below)
    assert covered == set(RULES)


def test_rule_catalogue_is_well_formed():
    import re

    for code, r in RULES.items():
        assert re.fullmatch(r"UD\d{3}", code) and r.code == code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name)
        assert r.severity in ("error", "warning", "info")
        assert len(r.explanation) > 80
        assert get(r.name) is r and get(code.lower()) is r
    sev = {c[2]: {r.severity for r in RULES.values() if r.code[2] == c[2]} for c in RULES}
    assert sev["1"] == {"error"} and sev["2"] == {"warning"} and sev["3"] == {"info"}
    assert "| UD105 | `shared-value-mixed-units` | error |" in markdown_table()


def test_messages_teach():
    (d,) = lint(config({**ADAM_MIXED, "lr": "1e-3 m"}, groups=MIXED))
    assert d.code == "UD105" and "'w' needs m, 't' needs s" in d.message
    assert "lr = { w = '0.001 m', t = '0.001 s' }" in d.message
    (d,) = lint(config({"name": "torch.optim.SGD", "lr": 0.01}))
    assert d.message == ("torch.optim.SGD lr: a bare number (0.01) where units m²/J ([θ]²/[L]) "
                         "are needed; write e.g. '0.01 m ** 2 / J'.")
    (d,) = lint(config({**ADAM, "name": "torch.optim.Adamm"}))
    assert "Did you mean 'torch.optim.Adam'?" in d.message
    (d,) = lint(config({**ADAM, "betsa": [0.9, 0.99]}))
    assert "Did you mean 'betas'?" in d.message
    (d,) = lint(config({**ADAM, "lr": "1e-3 m**2/J"}))
    assert d.message == "torch.optim.Adam lr: expected units m ([θ]), got m²/J."


def test_zero_fits_any_units_and_dimensionless_problems_need_no_units():
    assert codes(config({**ADAM_MIXED, "weight_decay": 0}, groups=MIXED)) == []
    assert codes(config({"name": "torch.optim.SGD", "lr": 0.01}, groups=(("w", "1"),),
                        loss="1")) == []
    assert codes(config({"name": "torch.optim.SGD", "lr": "1e-2 cm**2/mJ"})) == []


def test_regime_dependent_units_follow_options():
    # adafactor: lr dimensionless with multiply_by_parameter_scale, [θ] without
    base = {"name": "optax.adafactor", "eps": "1e-30 J**2/m**2"}
    assert "UD102" in codes(config({**base, "learning_rate": "1e-2 m"}))
    assert "UD102" not in codes(config({**base, "learning_rate": 1e-2}))
    assert "UD101" in codes(config({**base, "learning_rate": 1e-2,
                                    "multiply_by_parameter_scale": False}))
    # ReduceLROnPlateau: threshold relative by default, in loss units with threshold_mode='abs'
    sched = {"name": "torch.optim.lr_scheduler.ReduceLROnPlateau", "eps": "1e-8 m"}
    assert codes(config(ADAM, schedulers=[{**sched, "threshold": 1e-4}])) == []
    assert "UD101" in codes(config(ADAM, schedulers=[
        {**sched, "threshold": 1e-4, "threshold_mode": "abs"}]))


def test_scheduler_values_take_the_optimizers_lr_units():
    sched = [{"name": "torch.optim.lr_scheduler.CosineAnnealingLR", "T_max": 5,
              "eta_min": "1e-5 m**2/J"}]
    assert "UD102" in codes(config(ADAM, schedulers=sched))
    assert "UD102" not in codes(config({"name": "torch.optim.SGD", "lr": "1e-2 m**2/J"},
                                       schedulers=sched))


def test_unitdescent_rules_are_linted_from_their_signatures():
    from unitdescent.rules import METHODS

    from unitdescent.lint import lookup

    for method, cls in METHODS.items():
        spec = lookup(f"unitdescent.{method}")
        assert spec is not None
        for name in cls.signature:
            assert spec.hyper(name) is not None
    assert codes(config({"name": "unitdescent.gd", "lr": "0.1 m**2/J"})) == []
    assert codes(config({"name": "unitdescent.gd", "lr": "0.1 m"})) == ["UD102"]
    assert codes(config({"name": "unitdescent:adam"})) == ["UD007"]
    assert codes(config({"name": "unitdescent.adam", "lr": "1 mm", "ftol": "1e-9 J"})) == []


def test_selection_and_ignore():
    bad = config({"name": "torch.optim.Adam", "lr": 0.001})  # UD101 + UD301
    assert sorted(codes(bad)) == ["UD101", "UD301"]
    assert codes(bad, select=["UD1"]) == ["UD101"]
    assert codes(bad, ignore=["UD3"]) == ["UD101"]
    assert codes(bad, ignore=["implicit-dimensional-default"]) == ["UD101"]
    assert codes(bad | {"lint": {"ignore": ["UD101"]}}) == ["UD301"]
    assert codes(bad | {"lint": {"select": ["UD301"]}}) == ["UD301"]
    assert is_selected("UD303", ["ALL"]) and not is_selected("UD303")


NOQA_TOML = """\
loss = "J"
[[groups]]
name = "w"
units = "m"
[optimizer]
name = "torch.optim.SGD"
lr = 0.01  # noqa: UD101
momentum = 0.9  # noqa: UD102, UD101
dampening = 0  # noqa
"""


def test_noqa_suppresses_and_unused_noqa_is_reported():
    diags = lint(NOQA_TOML, format="toml")
    assert [(d.code, d.line) for d in diags] == [("UD008", 8), ("UD008", 9)]
    assert "UD101, UD102" in diags[0].message
    assert "every code" in diags[1].message
    assert [d.code for d in lint(NOQA_TOML.replace("  # noqa: UD101\n", "\n"))] == \
        ["UD101", "UD008", "UD008"]


def test_non_working_units_is_opt_in_and_fixable():
    cfg = config({**ADAM, "lr": "1 mm"})
    assert codes(cfg) == []
    (d,) = lint(cfg, select=["UD303"])
    assert d.fix == {"old": "1 mm", "new": "0.001 m"}
    # the same units written another way (m² is J·m/N) are left alone
    same = config({**ADAM, "lr": "1e-3 N/m", "eps": "1e-8 m**2"}, groups=(("k", "N/m"),))
    assert lint(same, select=["ALL"]) == []


def test_a_bad_declaration_is_reported_once_not_cascaded():
    no_loss = {k: v for k, v in config(ADAM).items() if k != "loss"}
    assert codes(no_loss) == ["UD007"]
    assert codes(config(ADAM, loss="joulez")) == ["UD001"]
    assert codes(config(ADAM, groups=(("w", "metrez"),))) == ["UD001"]
