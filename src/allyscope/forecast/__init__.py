"""Forecasting alliance formation: features, models, backtests, forecasts and scenarios.

The outcome is the onset of an ATOP defense pact (or of any ATOP obligation) between two
states; the unit is the non-directed dyad-year; dyads already allied are out of the risk
set. Two estimators of the annual onset hazard share one interface -- a rare-events
(Firth-penalized, prior-corrected) logit and gradient-boosted trees -- and are compared in
rolling-origin backtests. See docs/forecast.md.

>>> from allyscope import forecast as fc
>>> f = fc.forecast(["JPN", "KOR"], horizon=5)            # doctest: +SKIP
>>> f.probability, f.interval                              # doctest: +SKIP
>>> fc.forecast(["USA", "JPN", "KOR"]).table()            # doctest: +SKIP
>>> fc.scenario(["USA", "JPN", "KOR"], {"changes": [{"leader_change": ["KOR"]}]})  # doctest: +SKIP
>>> [fc.scenario(g, s) for g in [["USA", "JPN", "KOR"]] for s in fc.default_scenarios(g)]  # doctest: +SKIP
>>> fc.forecast_all(2018, horizon=5).head()                # doctest: +SKIP
>>> fc.backtest(origins=range(1970, 2014)).table           # doctest: +SKIP
>>> fc.evaluate(fc.backtest(["boost"])).scores              # doctest: +SKIP
>>> fc.forecast_all(2018, horizon=7, trained_through=2018)  # doctest: +SKIP
>>> fc.prospective(2018, 7).events                          # doctest: +SKIP
>>> fc.forecast(["JPN", "KOR"]).headline.describe()         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import lazy_loader as _lazy

if TYPE_CHECKING:
    from allyscope.forecast.backtesting import (
        BacktestResult,
        backtest,
        calibration_figure,
        default_origins,
        write_figure,
    )
    from allyscope.forecast.calibration import ProbabilityCalibrator, rolling_recalibration
    from allyscope.forecast.data import training_table
    from allyscope.forecast.effects import institutionalization_effects
    from allyscope.forecast.evaluation import Evaluation, evaluate, onset_events
    from allyscope.forecast.feature_table import (
        FEATURES,
        carried_forward,
        feature_names,
        features,
        last_input_year,
    )
    from allyscope.forecast.model import (
        DEFAULT_MODEL,
        MAX_HORIZON,
        ForecastModel,
        train,
    )
    from allyscope.forecast.models import BoostedTrees, RareEventsLogit
    from allyscope.forecast.outcome import OUTCOMES
    from allyscope.forecast.predict import Forecast, PairForecast, forecast, forecast_all
    from allyscope.forecast.prospective import ProspectiveResult, prospective
    from allyscope.forecast.published import Band, Calibration, Headline, calibration
    from allyscope.forecast.scenarios import (
        Change,
        Scenario,
        ScenarioResult,
        default_scenarios,
        scenario,
    )
    from allyscope.forecast.scenarios import load as load_scenario

# submodules load on first use: importing the package stays cheap (fast start-up)
_getattr, __dir__, _ = _lazy.attach(
    __name__,
    submodules=[
        "backtesting",
        "calibration",
        "data",
        "effects",
        "evaluation",
        "events",
        "feature_table",
        "model",
        "models",
        "outcome",
        "predict",
        "prospective",
        "published",
        "scenarios",
        "skill",
        "theory",
    ],
    submod_attrs={
        "backtesting": [
            "BacktestResult",
            "backtest",
            "calibration_figure",
            "default_origins",
            "write_figure",
        ],
        "calibration": ["ProbabilityCalibrator", "rolling_recalibration"],
        "data": ["training_table"],
        "effects": ["institutionalization_effects"],
        "evaluation": ["Evaluation", "evaluate", "onset_events"],
        "feature_table": [
            "FEATURES",
            "carried_forward",
            "feature_names",
            "features",
            "last_input_year",
        ],
        "model": ["DEFAULT_MODEL", "MAX_HORIZON", "ForecastModel", "train"],
        "models": ["BoostedTrees", "RareEventsLogit"],
        "outcome": ["OUTCOMES"],
        "predict": ["Forecast", "PairForecast", "forecast", "forecast_all"],
        "prospective": ["ProspectiveResult", "prospective"],
        "published": ["Band", "Calibration", "Headline", "calibration"],
        "scenarios": ["Change", "Scenario", "ScenarioResult", "default_scenarios", "scenario"],
    },
)
_RENAMED = {
    "load_scenario": ("scenarios", "load"),
}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        sub, attr = _RENAMED[name]
        return getattr(importlib.import_module(f"{__name__}.{sub}"), attr)
    return _getattr(name)


__all__ = [
    "DEFAULT_MODEL",
    "FEATURES",
    "MAX_HORIZON",
    "OUTCOMES",
    "BacktestResult",
    "Band",
    "BoostedTrees",
    "Calibration",
    "Change",
    "Evaluation",
    "Forecast",
    "ForecastModel",
    "Headline",
    "PairForecast",
    "ProbabilityCalibrator",
    "ProspectiveResult",
    "RareEventsLogit",
    "Scenario",
    "ScenarioResult",
    "backtest",
    "calibration",
    "calibration_figure",
    "carried_forward",
    "default_origins",
    "default_scenarios",
    "evaluate",
    "feature_names",
    "features",
    "forecast",
    "forecast_all",
    "institutionalization_effects",
    "last_input_year",
    "load_scenario",
    "onset_events",
    "prospective",
    "rolling_recalibration",
    "scenario",
    "train",
    "training_table",
    "write_figure",
]
