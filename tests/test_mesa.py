"""`thermidor.mesa.WorkersState`: the fast engine as a `mesa.Model` (step, run_for, the
DataCollector's model variables, `batch_run`, SolaraViz).

Each Mesa step is one week of `thermidor.Model`, so with `rng=s` the collected rows must be
exactly the time series of `thermidor.simulate(scenario, seed=s)`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("mesa")
from mesa.batchrunner import batch_run  # noqa: E402

from thermidor.engine import simulate  # noqa: E402
from thermidor.mesa import WorkersState  # noqa: E402

WEEKS = 12


def test_steps_are_the_weeks_of_simulate():
    model = WorkersState("tiny", rng=4, weeks=WEEKS)
    assert model.week == 0 and model.running and len(model.agents) == 0
    model.step()
    model.run_for(3)  # Mesa's own run_for: three more steps
    assert model.steps == 4 and model.week == 4
    model.run_for(100)
    assert model.week == WEEKS and not model.running
    df = model.datacollector.get_model_vars_dataframe()
    ts = simulate("tiny", seed=4, weeks=WEEKS).to_pandas()
    assert len(df) == WEEKS + 1
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    for col in ("week", "pi", "beta", "line", "expelled", "cells_degenerated"):
        np.testing.assert_array_equal(df[col].to_numpy(), ts[col].to_numpy(), err_msg=col)


def test_keywords_set_scenario_keys():
    model = WorkersState("tiny", rng=1, weeks=2, **{"influence.mu": 0.31, "scale": 0.0002})
    sc = model.engine.scenario
    assert sc.influence.mu == 0.31 and sc.scale == 0.0002
    from thermidor.errors import InputError

    with pytest.raises(InputError, match="influence.mu"):
        WorkersState("tiny", rng=1, **{"influence.mu": "lots"})


def test_rng_none_draws_fresh_entropy_as_mesa_does():
    a, b = WorkersState("tiny", weeks=1), WorkersState("tiny", weeks=1)
    assert a.engine.seed.entropy != b.engine.seed.entropy


def test_batch_run_on_a_tiny_scenario():
    rows = batch_run(
        WorkersState,
        {"base": "tiny", "weeks": 6, "influence.mu": [0.1, 0.4]},
        rng=[1, 2],
        max_steps=100,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 4  # 2 values x 2 seeds, the last step of each
    assert sorted(df["influence.mu"]) == [0.1, 0.1, 0.4, 0.4]
    assert (df["week"] == 6).all()
    one = df[(df["iteration"] == 1) & (df["influence.mu"] == 0.4)].iloc[0]
    expected = simulate(WorkersState("tiny", rng=2, **{"influence.mu": 0.4}).engine.scenario,
                        seed=2, weeks=6)  # fmt: skip
    assert one["pi"] == expected.timeseries.column("pi").to_pylist()[-1]


def test_solara_viz_steps_plots_and_resets_it():
    """SolaraViz's own controller steps and resets it, and its plot component draws it (the
    controller and the plot are rendered directly: SolaraViz puts the controller in the app's
    sidebar, which exists only in a served page)."""
    solara = pytest.importorskip("solara")
    import ipyvuetify as v
    import ipywidgets
    from mesa.visualization import SolaraViz, make_plot_component
    from mesa.visualization.solara_viz import ModelController

    model = solara.reactive(WorkersState("tiny", rng=1, weeks=WEEKS))
    controller = ModelController(
        model,
        model_parameters=solara.reactive({"base": "tiny", "weeks": WEEKS}),
        play_interval=solara.reactive(100),
        render_interval=solara.reactive(1),
        use_threads=solara.reactive(False),
    )
    _, rc = solara.render(controller, handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.week == 2
    assert len(model.value.datacollector.get_model_vars_dataframe()) == 3
    plot, _page = make_plot_component(["pi", "beta"])
    _, rc = solara.render(plot(model.value), handle_error=False)
    png = rc.find(ipywidgets.Image).widget.value
    assert bytes(png[:8]) == b"\x89PNG\r\n\x1a\n"
    rc_reset = solara.render(controller, handle_error=False)[1]
    rc_reset.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.week == 0 and model.value.engine.weeks == WEEKS
    solara.render(SolaraViz(model, components=[(plot, 0)], name="tiny"), handle_error=False)
