"""Shared test problems for the core rules, and the conformance table.

``quadratic`` is a coupled quadratic over a length x and a time t with a dimensionless loss:
L = ((x − x*)/a)² + ((t − t*)/b)² + c·(x − x*)(t − t*)/(a·b). Its Hessian is known, so
learning rates with the right units can be written down exactly.
"""

import numpy as np

import unitdescent as ud

Q_ = ud.ureg.Quantity

X_STAR, T_STAR = Q_(3.0, "m"), Q_(2.0, "s")
A, B, C = Q_(0.5, "m"), Q_(1.0, "s"), 0.5


def quadratic(x, t):
    dx, dt = (x - X_STAR) / A, (t - T_STAR) / B
    return dx**2 + dt**2 + C * dx * dt


def quadratic_jac(x, t):
    dx, dt = (x - X_STAR) / A, (t - T_STAR) / B
    return {"x": (2 * dx + C * dt) / A, "t": (2 * dt + C * dx) / B}


def quadratic_fast():
    """The same problem on floats (x in m, t in s), with declared units."""
    a, b, xs, ts = A.m, B.m, X_STAR.m, T_STAR.m

    def f(x, t):
        dx, dt = (x - xs) / a, (t - ts) / b
        return dx * dx + dt * dt + C * dx * dt

    def g(x, t):
        dx, dt = (x - xs) / a, (t - ts) / b
        return {"x": (2 * dx + C * dt) / a, "t": (2 * dt + C * dx) / b}

    return ud.Objective(f, params={"x": "m", "t": "s"}, loss=None, jac=g, name="quadratic_fast")


X0 = {"x": Q_(10.0, "cm"), "t": Q_(1.0, "min")}

#: H_xx = 2/a², H_tt = 2/b²: a stable SGD lr is below 2/λ_max; these are safe
LR_SGD = {"x": Q_(0.1, "m**2"), "t": Q_(0.4, "s**2")}

def conformance(loss_scale=Q_(1.0, "")):
    """Rule name -> hyperparameters with units (the conformance table), for the quadratic
    multiplied by ``loss_scale`` (a Quantity in [L]): SGD-like rates and preconditioners carry
    1/[L], Adam's lr does not."""
    per_loss = 1.0 / loss_scale
    sgd = {"x": Q_(0.1, "m**2") * per_loss, "t": Q_(0.4, "s**2") * per_loss}
    heavy = {"x": Q_(0.03, "m**2") * per_loss, "t": Q_(0.12, "s**2") * per_loss}
    return {
        "gd": dict(lr=sgd),
        "momentum": dict(lr=heavy, beta=0.8),
        "nesterov": dict(lr=heavy, beta=0.8, nesterov=True),
        "adam": dict(lr={"x": Q_(0.05, "m"), "t": Q_(0.1, "s")}, maxiter=4000),
        "preconditioned-diag": dict(P=sgd),
        "preconditioned-full": dict(P={("x", "x"): Q_(0.125, "m**2") * per_loss,
                                       ("t", "t"): Q_(0.5, "s**2") * per_loss,
                                       ("x", "t"): Q_(-0.03, "m*s") * per_loss}),
    }


CONFORMANCE = conformance()


def method_of(name):
    return {"nesterov": "momentum", "preconditioned-diag": "preconditioned",
            "preconditioned-full": "preconditioned"}.get(name, name)


def valley(x, y):
    """An elongated quadratic valley: curvature 100× larger across (y in mm) than along (x in km)."""
    return (x / Q_(1.0, "km")) ** 2 + 100 * (y / Q_(1.0, "mm")) ** 2
