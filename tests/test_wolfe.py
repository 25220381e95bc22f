import numpy as np
import pytest

from unitdescent.wolfe import Trial, strong_wolfe


def quadratic(a=3.0, b=-6.0):
    """φ(α) = ½·a·α² + b·α (minimum at α = −b/a = 2)."""
    calls = []

    def phi(alpha):
        calls.append(alpha)
        return Trial(alpha, 0.5 * a * alpha ** 2 + b * alpha, a * alpha + b, ("x", alpha))

    return phi, calls


def wolfe_ok(t, phi0, dphi0, c1=1e-4, c2=0.9):
    return t.phi <= phi0 + c1 * t.alpha * dphi0 and abs(t.dphi) <= -c2 * dphi0


def test_unit_step_accepted_on_a_quadratic():
    phi, calls = quadratic(a=1.0, b=-1.0)  # minimum at α = 1
    s = strong_wolfe(phi, 0.0, -1.0, 1.0)
    assert s.wolfe and s.trial.alpha == 1.0 and calls == [1.0]
    assert s.trial.payload == ("x", 1.0)


def test_extrapolates_then_meets_both_conditions():
    phi, calls = quadratic(a=1.0, b=-100.0)  # minimum at α = 100
    s = strong_wolfe(phi, 0.0, -100.0, 1.0)
    assert s.wolfe and wolfe_ok(s.trial, 0.0, -100.0)
    assert s.trial.alpha > 10.0
    assert len(calls) < 10


def test_zoom_with_tight_curvature_condition_finds_the_minimum():
    phi, _ = quadratic(a=3.0, b=-6.0)
    s = strong_wolfe(phi, 0.0, -6.0, 10.0, c2=1e-3)
    assert s.wolfe
    assert s.trial.alpha == pytest.approx(2.0, rel=1e-3)


def test_nonfinite_trial_backs_off():
    # loss undefined beyond α = 0.5 (think: a log of a negative number)
    def phi(alpha):
        if alpha > 0.5:
            return Trial(alpha, np.nan, np.nan)
        return Trial(alpha, (alpha - 0.4) ** 2, 2 * (alpha - 0.4))

    s = strong_wolfe(phi, 0.16, -0.8, 1.0)
    assert s.trial is not None and s.nonfinite >= 1
    assert s.trial.alpha <= 0.5 and np.isfinite(s.trial.phi)
    assert s.trial.phi < 0.16


def test_all_nonfinite_reports_it():
    s = strong_wolfe(lambda a: Trial(a, np.nan, np.nan), 1.0, -1.0, 1.0, maxiter=12)
    assert s.trial is None
    assert s.nonfinite == s.ntrials == 12
    assert "not finite at 12 of 12" in s.message


def test_not_a_descent_direction():
    phi, calls = quadratic()
    s = strong_wolfe(phi, 0.0, 0.5, 1.0)
    assert s.trial is None and "not a descent direction" in s.message and not calls


def test_bad_constants_rejected():
    phi, _ = quadratic()
    with pytest.raises(ValueError, match="0 < c1 < c2 < 1"):
        strong_wolfe(phi, 0.0, -6.0, c1=0.5, c2=0.4)


def test_returns_best_armijo_point_when_curvature_cannot_be_met():
    # a linear slope that never flattens, capped by the budget: only sufficient decrease holds
    s = strong_wolfe(lambda a: Trial(a, -a, -1.0), 0.0, -1.0, 1.0, maxiter=3)
    assert s.trial is not None and not s.wolfe
    assert s.trial.alpha == 16.0  # 1, 4, 16: the extrapolated trials


@pytest.mark.parametrize("a, b, alpha1", [(1.0, -100.0, 1.0), (3.0, -6.0, 10.0),
                                          (1.0, -1.0, 1.0)])
def test_a_first_trial_given_by_the_caller_is_not_evaluated_again(a, b, alpha1):
    phi, calls = quadratic(a=a, b=b)
    plain = strong_wolfe(phi, 0.0, b, alpha1)
    n_plain = len(calls)
    first = phi(alpha1)
    calls.clear()
    given = strong_wolfe(phi, 0.0, b, alpha1, first=first)
    assert given == plain  # the same trial, flags and trial count
    assert len(calls) == n_plain - 1 and alpha1 not in calls[:1]
