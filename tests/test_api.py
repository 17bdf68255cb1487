"""The Python API a notebook uses: the stepping `Model`, `Result.to_pandas/answers/plot`, reprs.

The stepping model is the engine's own loop (`simulate` runs it), so a run stepped by hand,
a week at a time or by `run_for`, must give the same rows as `simulate`, byte for byte.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import thermidor
from conftest import same_table
from thermidor.analysis.seven import QUESTIONS, one_line
from thermidor.engine import Model, simulate

WEEKS = 30


@pytest.fixture(scope="module")
def result() -> thermidor.Result:
    return simulate("tiny", seed=3, weeks=WEEKS)


def test_stepping_gives_the_rows_of_simulate(result):
    model = thermidor.Model("tiny", seed=3, weeks=WEEKS)
    assert model.week == 0 and model.date == result.scenario.start and model.running
    assert model.step() is True
    assert model.week == 1 and model.date == result.scenario.start + dt.timedelta(weeks=1)
    assert model.run_for(9) == 9 and model.week == 10
    assert model.run_for(1000) == WEEKS - 10  # stops at the horizon
    assert not model.running and model.step() is False and model.week == WEEKS
    stepped = model.result()
    assert same_table(stepped.timeseries, result.timeseries)
    assert stepped.cells.equals(result.cells)
    assert stepped.outcome == result.outcome


def test_a_model_stopped_early_is_a_prefix_and_keeps_its_last_cells(result):
    model = Model(result.scenario, seed=3, weeks=WEEKS)
    model.run_for(7)
    part = model.result()
    assert same_table(part.timeseries, result.timeseries.slice(0, 8))
    assert part.outcome["weeks_run"] == 7
    assert part.cells.column("week").to_numpy()[-1] == 7  # the state it stopped in
    now = model.cells()
    assert len(now) == model.state.n_cells and set(now["week"]) == {7}


def test_dataframe_has_calendar_dates_as_datetime64():
    model = Model("tiny", seed=3, weeks=WEEKS)
    model.run_for(4)
    df = model.dataframe()
    assert list(df["week"]) == [0, 1, 2, 3, 4]
    assert df["date"].dtype == np.dtype("datetime64[us]")
    assert df["date"].iloc[-1] == pd.Timestamp(model.date)
    assert df["pi"].iloc[-1] == model.state.macro.pi


def test_result_to_pandas_as_an_experiment_gives_it(result):
    ts = result.to_pandas()
    assert len(ts) == WEEKS + 1 and ts["date"].dtype == np.dtype("datetime64[us]")
    assert (ts["date"].diff().dropna() == pd.Timedelta(weeks=1)).all()
    assert ts["date"].iloc[0] == pd.Timestamp(result.scenario.start)
    cells = result.to_pandas("cells")
    assert len(cells) == result.cells.num_rows and cells["date"].dtype == ts["date"].dtype
    with pytest.raises(ValueError, match="timeseries"):
        result.to_pandas("outcomes")


def test_answers_are_the_seven_of_the_command_line(result):
    answers = result.answers()
    assert list(answers) == list(QUESTIONS)
    pi = next(m for m in answers["Q3"]["measures"] if m["column"] == "pi")
    assert pi["course"]["horizon"][0] == pytest.approx(result.to_pandas()["pi"].iloc[-1])
    assert "pi " in one_line(answers, "Q3")


def test_plot_draws_the_four_panels_in_real_persons(result):
    fig = result.plot()
    axes = fig.get_axes()
    assert len(axes) == 4
    ts = result.to_pandas()
    power = axes[0].get_lines()
    np.testing.assert_array_equal(power[0].get_ydata(), ts["pi"].to_numpy())
    guillotine = axes[3]
    assert "real persons" in guillotine.get_title()
    expelled = guillotine.get_lines()[0].get_ydata()
    np.testing.assert_allclose(expelled, ts["expelled"].to_numpy() / result.scenario.scale)


def test_reprs_are_one_short_line(result):
    for obj in (result, Model("tiny", seed=3, weeks=WEEKS)):
        text = repr(obj)
        assert "\n" not in text and len(text) < 120, text
        assert "'tiny'" in text and "seed 3" in text
    assert "Table" not in repr(result)  # not pyarrow's dump of the tables


def test_top_level_names_resolve_lazily():
    assert thermidor.Model is Model and thermidor.simulate is simulate
    assert {"Model", "Result", "simulate", "ensemble"} <= set(dir(thermidor))
    with pytest.raises(AttributeError):
        thermidor.nothing_here  # noqa: B018
    assert isinstance(simulate("tiny", seed=3, weeks=1).timeseries, pa.Table)
