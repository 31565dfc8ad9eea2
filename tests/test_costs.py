"""Cost model: golden values for the KPI bands, night allowance, overhead; config validation."""

from __future__ import annotations

import pandas as pd
import pytest

from scheduler.config import parse_config
from scheduler.costs import agent_month_cost, kpi_bonus, roster_cost, team_costs
from scheduler.domain import Agent
from scheduler.errors import InputError


def costs(**over):
    return parse_config({"shops": [{"id": "a"}], "costs": over}).costs


@pytest.mark.parametrize("score, bonus", [(95, 2850), (90, 2700), (89.5, 1790), (80, 1600), (79, 790), (0, 0)])
def test_kpi_bonus_band_base_times_score(score, bonus):
    assert kpi_bonus(score, costs()) == pytest.approx(bonus)


def test_agent_month_cost_golden():
    c = costs()
    junior = agent_month_cost("junior", nights=10, costs=c)  # 2000 + 1000 * 0.78 + 10 * 30
    assert junior["total"] == pytest.approx(3080)
    gold = agent_month_cost("gold", nights=0, costs=c)       # 2600 + 3000 * 0.94
    assert gold["total"] == pytest.approx(5420)
    with_overhead = agent_month_cost("junior", 10, costs(employer_overhead=0.3))
    assert with_overhead["total"] == pytest.approx(3080 * 1.3)
    assert agent_month_cost("junior", 0, c, kpi_score=91)["kpi_bonus"] == pytest.approx(2730)


def test_team_and_roster_cost_use_nights_per_agent():
    agents = [Agent("A1", "张芳", "junior"), Agent("A2", "李娜", "gold")]
    table = team_costs(agents, {"A1": 4}, costs())
    assert list(table["nights"]) == [4, 0]
    frame = pd.DataFrame({"agent_id": ["A1", "A2"], "nights": [4, 2]})
    assert roster_cost(agents, frame, costs()) == pytest.approx(2780 + 120 + 5420 + 60)


@pytest.mark.parametrize("over, path", [
    ({"base_salary": {"junior": 1}}, "costs.base_salary"),
    ({"expected_kpi": {"junior": 120, "senior": 1, "elite": 1, "expert": 1, "gold": 1}}, "costs.expected_kpi"),
    ({"kpi_bands": [{"min_score": 50, "base": 10}]}, "costs.kpi_bands"),
    ({"night_allowence": 30}, "costs.night_allowence"),
])
def test_bad_costs_name_the_path(over, path):
    with pytest.raises(InputError) as err:
        costs(**over)
    assert any(path in p or "costs:" in p for p in err.value.problems), err.value.problems
