import unitdescent as ud


def test_demo_runs_and_agrees(capsys):
    from unitdescent.demo import run

    results = run()
    out = capsys.readouterr().out
    assert "BareNumberError" in out
    assert abs(results["m"].x.m_as("m") - 0.3924) < 1e-9
    assert abs(results["cm"].x.m_as("m") - results["m"].x.m_as("m")) < 1e-12
    assert ud.lr_units("m", "J", "sgd") == ud.ureg.Unit("m**2/J")
