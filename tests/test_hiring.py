"""Hiring need: formula golden values, attrition and lead-time arithmetic, the proven search."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import MONTH, make_config, make_demand
from scheduler import hiring as H
from scheduler.cli import main
from scheduler.config import parse_config
from scheduler.domain import Agent, month_days
from scheduler.errors import InputError

NO_SHRINK = {"shrinkage": {"sick_leave": 0, "annual_leave": 0, "training": 0, "meetings": 0}}
FEB = month_days(MONTH)  # 28 days, three whole Mon-Sun weeks (Feb 2-22)
AUG = month_days(date(2026, 8, 1))


# ---------------------------------------------------------------- formula


def test_workable_days_follow_the_days_off_rules():
    assert H.workable_days(FEB, make_config()) == 24          # 4 off: the monthly minimum
    assert H.workable_days(AUG, make_config()) == 27          # 31 days, 4 whole weeks
    assert H.workable_days(FEB, make_config(rules={"min_days_off_per_week": 2})) == 22  # 2 x 3 whole weeks
    # one day off in every max_consecutive_workdays + 1 days: 28 // 4 = 7
    cfg = make_config(rules={"max_consecutive_workdays": 3, "min_days_off_per_week": 0, "min_days_off_per_month": 0})
    assert H.workable_days(FEB, cfg) == 21


def test_formula_heads_golden_values():
    config = make_config(hiring=NO_SHRINK)
    demand = make_demand(config, per_shift={"big": 210, "small": 90})
    f = H.formula_heads(demand, config, FEB)
    # per day at band max 120: (ceil(210/120)=2 + ceil(90/120)=1) x 2 shifts = 6 -> 168 / 24 days = 7
    # at band target 100: (3 + 1) x 2 = 8 -> 224 / 24 = 9.33 -> 10
    assert (f["workable_days"], f["heads_formula_max"], f["heads_formula_target"]) == (24, 7, 10)
    assert f["peak_heads"] == 6 and f["formula_driver"] == "month volume"
    # shrinkage 11% (defaults): 168 / (24 x 0.89) = 7.87 -> 8; 224 / 21.36 = 10.49 -> 11
    g = H.formula_heads(demand, make_config(), FEB)
    assert (g["productive_days"], g["heads_formula_max"], g["heads_formula_target"]) == (21.36, 8, 11)


def test_formula_peak_day_temporary_or_hired():
    config = make_config(hiring=NO_SHRINK)
    demand = make_demand(config, per_shift={"big": 210, "small": 90})
    peak = demand["date"] == date(2026, 2, 11)
    demand.loc[peak & (demand["shop"] == "big"), "volume"] = 1200
    f = H.formula_heads(demand, config, FEB)
    # the peak day: (ceil(1200/120)=10 + 1) x 2 = 22 agent-shifts; the month 27 x 6 + 22 = 184 -> 7.67 -> 8
    assert (f["heads_formula_max"], f["peak_heads"], f["peak_day"]) == (8, 22, date(2026, 2, 11))
    hired = H.formula_heads(demand, make_config(hiring={**NO_SHRINK, "peak_days": "hire"}), FEB)
    assert hired["heads_formula_max"] == 22 and hired["formula_driver"] == "peak day 2026-02-11"


def test_seniors_needed_for_min_senior_per_shift():
    config = make_config(rules={"min_senior_per_shift": 1}, hiring=NO_SHRINK)
    demand = make_demand(config, per_shift={"big": 210, "small": 90})
    # 2 shops with volume, 2 shops per agent: 1 senior a shift, 2 a day -> 56 / 24 = 2.33 -> 3
    assert H.seniors_needed(demand, config, FEB) == 3
    one_shop = make_config(rules={"min_senior_per_shift": 1, "max_shops_per_agent": 1}, hiring=NO_SHRINK)
    assert H.seniors_needed(demand, one_shop, FEB) == 5  # 4 a day -> 112 / 24 = 4.67
    assert H.seniors_needed(demand, make_config(), FEB) == 0


# ---------------------------------------------------------------- attrition and lead time


def test_survival_and_available_heads():
    config = make_config(hiring={"attrition": {"junior": 0.1, "senior": 0.05}})
    assert H.survival(config, "junior", 3) == pytest.approx(0.729)
    agents = [Agent("A", "a", "junior"),                                    # on the team, trained
              Agent("B", "b", "senior", hire_date=date(2026, 2, 10)),       # trains Feb 10-24: 4 of 28 days
              Agent("C", "c", "junior", hire_date=date(2026, 3, 5))]        # hired after the month
    got = H.available_heads(agents, config, FEB, 1)
    assert got == {"team_heads": 1.85, "in_training": 0.95, "available_heads": round(0.9 + 0.95 * 4 / 28, 2),
                   "seniors_available": round(0.95 * 4 / 28, 2)}
    march = H.available_heads(agents, config, month_days(date(2026, 3, 1)), 2)
    # C hired March 5 trains to March 19: 12 of 31 days productive
    assert march["team_heads"] == round(0.81 + 0.9025 + 0.81, 2)
    assert march["available_heads"] == round(0.81 + 0.9025 + 0.81 * 12 / 31, 2)


def test_hire_and_recruit_by_dates():
    config = make_config(rules={"training_days": 15}, hiring={"recruiting_lead_days": 30})
    assert H.hire_dates(date(2026, 11, 1), config) == (date(2026, 10, 17), date(2026, 9, 17))
    config = make_config(rules={"training_days": 30}, hiring={"recruiting_lead_days": 0})
    assert H.hire_dates(date(2026, 3, 1), config) == (date(2026, 1, 30), date(2026, 1, 30))


def test_plan_hires_counts_earlier_hires_that_stay():
    config = make_config(hiring={"attrition": {"junior": 0.1, "senior": 0.0}, "new_agent_tier": "junior"})
    # 3 hired for month 0; month 1 keeps 2.7 >= 2; month 2 keeps 2.43 of 5 -> 3 more
    assert H.plan_hires([2.2, 2.0, 5.0], [0, 0, 0], config) == [(3, 0), (0, 0), (3, 0)]
    # two seniors short in month 0: both hires senior; they also count toward the total
    assert H.plan_hires([1.0, 3.0], [2.0, 2.0], config) == [(2, 2), (1, 0)]
    assert H.plan_hires([-4.0], [0], config) == [(0, 0)]


def test_attrition_outside_range_is_a_config_error():
    with pytest.raises(InputError, match=r"hiring\.attrition\.junior"):
        parse_config({"shops": [{"id": "a"}], "hiring": {"attrition": {"junior": 1.0}}}, "c.yaml")
    with pytest.raises(InputError, match=r"hiring\.attrition\.gold"):
        parse_config({"shops": [{"id": "a"}], "hiring": {"attrition": {"gold": -0.1}}}, "c.yaml")
    with pytest.raises(InputError, match=r"hiring\.staffing_quantile 0\.7"):
        parse_config({"shops": [{"id": "a"}], "hiring": {"staffing_quantile": 0.7}}, "c.yaml")
    with pytest.raises(InputError, match=r"hiring\.shrinkage"):
        parse_config({"shops": [{"id": "a"}], "hiring": {"shrinkage": {"sick_leave": 0.5, "training": 0.5}}}, "c")


# ---------------------------------------------------------------- proven search


def _solo(volume: int, **hiring):
    config = make_config(shops=("solo",), hiring={**NO_SHRINK, "proof_time_limit_s": 30, "proof_max_probes": 8,
                                                  **hiring})
    return config, make_demand(config, per_shift={"solo": volume})


def test_proven_search_returns_the_minimum():
    config, demand = _solo(200)
    proof = H.proven_heads(config, MONTH, demand, start=9)
    assert proof.proven and proof.hi == 6, [(p.heads, p.outcome) for p in proof.probes]
    cfg = H.proof_config(config)
    assert H.probe(cfg, MONTH, demand, 6, 0).outcome == "found"
    at_5 = H.probe(cfg, MONTH, demand, 5, 0)
    assert at_5.outcome == "none" and at_5.uncovered > 0
    assert H.lower_bound(demand, config, FEB) <= 5  # so 5 was ruled out by the roster model, not arithmetic


def test_lower_bound_counts_runs_of_days():
    config, demand = _solo(120)
    week = demand["date"].between(date(2026, 2, 9), date(2026, 2, 15))  # Monday to Sunday
    demand.loc[~week, "volume"] = 0
    # 2 agent-shifts a day in that week = 14; one agent works at most 6 of its 7 days -> 3
    assert H.lower_bound(demand, config, FEB) == 3
    # the whole month at 2 a day: 56 over 24 workable days -> 3; the day shifts alone: 28 / 13 -> 3
    assert H.lower_bound(make_demand(config, per_shift={"solo": 120}), config, FEB) == 3
    busy = make_demand(config, per_shift={"solo": 120})
    busy.loc[busy["date"] == date(2026, 2, 11), "volume"] = 600  # 5 + 5 agent-shifts that day
    assert H.lower_bound(busy, config, FEB) == 10


def test_proof_config_only_counts_uncovered():
    config, _ = _solo(200)
    cfg = H.proof_config(config)
    weights = cfg.weights.model_dump()
    assert weights.pop("uncovered") == 1 and set(weights.values()) == {0}
    assert cfg.solver.time_limit_s == 30


def test_timed_out_probe_gives_a_bracket(monkeypatch):
    config, demand = _solo(200)
    outcomes = {n: "found" if n >= 8 else "unknown" if n == 7 else "none" for n in range(1, 30)}
    monkeypatch.setattr(H, "lower_bound", lambda *a: 3)
    monkeypatch.setattr(H, "probe", lambda cfg, month, dem, n, s: H.Probe(n, outcomes[n], None, None, 1.0, "X"))
    proof = H.proven_heads(config, MONTH, demand, start=4)
    # 4 and 5 ruled out, 7 timed out, 8 found: the need is 6, 7 or 8; 6 lies below the timed-out
    # probe and is not tried (it would most likely time out as well)
    assert (proof.lo, proof.hi, proof.proven) == (6, 8, False)
    assert proof.describe() == "bracket 6-8 (a probe timed out)"
    assert [p.heads for p in proof.probes] == [4, 5, 7, 11, 9, 8]


def test_no_roster_within_the_probes_says_so(monkeypatch):
    config, demand = _solo(200, proof_max_probes=3)
    monkeypatch.setattr(H, "lower_bound", lambda *a: 2)
    monkeypatch.setattr(H, "probe", lambda cfg, month, dem, n, s: H.Probe(n, "unknown", 9, 0.0, 1.0, "FEASIBLE"))
    proof = H.proven_heads(config, MONTH, demand, start=4)
    assert proof.hi is None and proof.lo == 2 and len(proof.probes) == 3
    assert "no roster found" in proof.describe()


# ---------------------------------------------------------------- the plan, end to end


def _history(days: int, start=date(2026, 1, 1), shops=("big", "small")) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [(pd.Timestamp(start + timedelta(days=i)), p, float(round((800 if p == "big" else 300) * rng.uniform(0.9, 1.1))))
            for i in range(days) for p in shops]
    return pd.DataFrame(rows, columns=["date", "shop", "inquiries"])


def test_short_history_widens_intervals_and_warns():
    config = make_config(hiring={"proof_months": 0})
    hist = _history(181)  # to 2026-06-30
    agents = [Agent(f"A{i}", "a", "junior") for i in range(12)] + [Agent("N1", "n", "senior", hire_date=date(2026, 7, 20))]
    with pytest.warns(UserWarning, match="widened"):
        plan = H.hiring_plan(hist, agents, config, months=2)
    t = plan.table
    assert list(t["month"]) == ["2026-07", "2026-08"] and t["widened"].all()
    assert list(t.columns) == H.HIRING_COLUMNS
    assert t.loc[0, "in_training"] > 0.9 and any("count as hires in training" in w for w in plan.warnings)
    assert (t["recruit_by"].dropna() == [H.hire_dates(date(2026, m, 1), config)[1] for m in (7, 8)][: t["recruit_by"].notna().sum()]).all()
    assert set(plan.shops["shop"]) == {"big", "small"}


def test_month_events_name_festivals_and_user_events():
    config = make_config(forecast={"events": [{"name": "live", "start": "2026-11-20", "end": "2026-11-21"}]})
    ev = H.month_events(config, date(2026, 10, 1), date(2026, 11, 30))
    got = set(zip(ev["event"], ev["date"]))
    assert {("double11", date(2026, 11, 11)), ("live", date(2026, 11, 20))} <= got
    assert all(date(2026, 10, 1) <= d <= date(2026, 11, 30) for d in ev["date"])


def _write_inputs(tmp_path, config_extra=""):
    hist = _history(400, start=date(2025, 6, 1))
    hist.assign(date=hist["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "h.csv", index=False)
    (tmp_path / "t.csv").write_text("agent_id,name,tier,shops,hire_date\n"
                                    + "".join(f"A{i},a{i},{'senior' if i % 3 == 0 else 'junior'},,2025-01-01\n"
                                              for i in range(12)) + "N1,new,junior,,2026-08-15\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("shops: [{id: big}, {id: small}]\nsolver: {time_limit_s: 5, workers: 2}\n"
                                     + config_extra, encoding="utf-8")
    return ["--history", str(tmp_path / "h.csv"), "--team", str(tmp_path / "t.csv"), "--config", str(tmp_path / "c.yaml")]


def test_cli_hiring_writes_the_report(tmp_path):
    args = _write_inputs(tmp_path, "hiring: {proof_months: 1, proof_time_limit_s: 5, proof_max_probes: 3}\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["hiring", *args, "--horizon", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert {"hiring.csv", "hiring.xlsx", "hiring.png", "hiring.md", "hiring.html", "hiring_shops.csv",
            "hiring_probes.csv"} <= \
        {p.name for p in out.iterdir()}
    t = pd.read_csv(out / "hiring.csv")
    assert list(t["month"]) == ["2026-08", "2026-09"] and list(t.columns) == H.HIRING_COLUMNS  # history ends 07-05
    assert t.loc[0, "proof"] != "not run" and pd.isna(t.loc[1, "proven_hi"])
    assert "# Hiring plan 2026-08 to 2026-09" in (out / "hiring.md").read_text(encoding="utf-8")
    again = CliRunner().invoke(main, ["hiring", *args, "--horizon", "1", "--proof-months", "0", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output  # never silently overwritten


def test_cli_hiring_bad_attrition_exits_2(tmp_path):
    args = _write_inputs(tmp_path, "hiring: {attrition: {senior: 1.5}}\n")
    res = CliRunner().invoke(main, ["hiring", *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "hiring.attrition.senior" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()
