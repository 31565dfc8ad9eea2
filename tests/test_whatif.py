"""What-if: scenario validation (errors name file, scenario, path), overrides, parallel plan, CLI end to end."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.whatif import VolumeChange, apply_changes, build_jobs, plan_parallelism, scenario_demand

CONFIG = {"shops": [{"id": "big", "name": "旗舰店"}, {"id": "small", "name": "小店"}],
          "solver": {"time_limit_s": 3, "workers": 2, "seed": 0}}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2025-12-01", "2026-01-31", freq="D")
    rows = [(d.date(), shop, int(level * rng.uniform(0.9, 1.1))) for d in dates for shop, level in
            (("big", 300), ("small", 80))]
    pd.DataFrame(rows, columns=["date", "shop", "inquiries"]).to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    team = [f"A{i},agent {i},{('junior', 'senior', 'gold')[i % 3]},,2025-0{i}-01" for i in range(1, 8)]
    (tmp_path / "team.csv").write_text("agent_id,name,tier,shops,hire_date\n" + "\n".join(team) + "\n",
                                       encoding="utf-8")
    return tmp_path


def write(folder: Path, scenarios: list, **top) -> Path:
    data = {"base": {"config": "config.yaml", "team": "team.csv", "history": "history.csv", "month": "2026-02"},
            **top, "scenarios": scenarios}
    path = folder / "scenarios.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        build_jobs(path)
    return err.value.problems


def test_every_bad_override_is_reported_with_file_scenario_and_path(base):
    path = write(base, [
        {"name": "typo", "config": {"rules": {"max_shop_per_agent": 3}}},
        {"name": "bad band", "config": {"band": {"max": 50}}},
        {"name": "no such shop", "volume": [{"multiplier": 1.2, "shops": ["outlet"]}]},
        {"name": "wrong month", "events": [{"name": "618", "start": date(2026, 6, 18), "multiplier": 2}]},
        {"name": "unknown agent", "team": {"remove": [{"ids": ["A99"]}]}},
        {"name": "too many", "team": {"remove": [{"count": 5, "tier": "gold"}]}},
        {"name": "bad key", "team": {"hire": [{"count": 1}]}},
    ])
    probs = problems(path)
    text = "\n".join(probs)
    assert all(str(path) in p for p in probs)
    assert "scenario 'typo': config: rules.max_shop_per_agent: unknown key" in text
    assert "scenario 'bad band': config: band" in text
    assert "scenario 'no such shop': volume[0].shops: unknown shop(s) ['outlet']" in text
    assert "scenario 'wrong month': events[0]: dates 2026-06-18..2026-02-28 are outside the month" in text
    assert "scenario 'unknown agent': team.remove[0].ids: unknown agent(s) ['A99']" in text
    assert "scenario 'too many': team.remove[0].count: removes 5 agents but the team has 2 of tier gold" in text
    assert "scenario 'bad key': team.hire: unknown key" in text


def test_duplicate_names_and_empty_list_are_errors(base):
    assert "duplicate scenario name(s) ['a']" in "\n".join(problems(write(base, [{"name": "a"}, {"name": "a"}])))
    assert any("scenarios" in p for p in problems(write(base, [])))


def test_cli_bad_scenarios_exit_2_without_traceback(base, tmp_path):
    path = write(base, [{"name": "x", "volume": [{"multiplier": -1}]}])
    res = CliRunner().invoke(main, ["whatif", "--scenarios", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "scenario 'x': volume[0].multiplier" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_team_overrides(base):
    path = write(base, [
        {"name": "leave", "team": {"remove": [{"count": 1, "tier": "junior"}]}},
        {"name": "hire", "team": {"add": [{"count": 2, "tier": "精英", "shops": ["big"]}]}},
        {"name": "attrition", "team": {"attrition": {"share": 0.3, "from": date(2026, 2, 15)}}},
    ])
    _, jobs = build_jobs(path)
    leave, hire, att = jobs
    # juniors are A3 (hired 2025-03) and A6 (2025-06): the most recently hired leaves first
    assert [a.id for a in leave.agents] == ["A1", "A2", "A3", "A4", "A5", "A7"]
    assert [(a.id, a.tier, a.shops) for a in hire.agents[-2:]] == [("NEW01", "elite", ("big",)),
                                                                   ("NEW02", "elite", ("big",))]
    leaves = [r for r in att.requests if r.kind == "leave"]
    assert len(att.agents) == 7 and len(leaves) == 2
    assert all((r.start, r.end) == (date(2026, 2, 15), date(2026, 2, 28)) for r in leaves)


def test_volume_changes_compose_on_their_rows_only():
    frame = pd.DataFrame({"date": [date(2026, 2, d) for d in (1, 2, 3)] * 2, "shop": ["a"] * 3 + ["b"] * 3,
                          "p80": [100.0] * 6})
    out = apply_changes(frame, ["p80"], [VolumeChange(multiplier=2, shops=["a"], start=date(2026, 2, 2)),
                                         VolumeChange(multiplier=1.5, end=date(2026, 2, 2))])
    assert list(out["p80"]) == [150, 300, 200, 150, 150, 100]


def test_event_and_middle_shift_demand(base):
    shifts = [{"id": "day", "start": "08:30", "end": "17:30", "paid_hours": 8, "volume_share": 0.4},
              {"id": "mid", "start": "12:00", "end": "21:00", "paid_hours": 8, "volume_share": 0.25},
              {"id": "night", "start": "17:30", "end": "00:30", "paid_hours": 7, "volume_share": 0.35}]
    path = write(base, [{"name": "base"},
                        {"name": "promo", "events": [{"name": "情人节", "start": date(2026, 2, 14),
                                                      "end": date(2026, 2, 14), "multiplier": 2}]},
                        {"name": "mid", "config": {"shifts": shifts}}])
    b, p, m = (scenario_demand(j) for j in build_jobs(path)[1])
    day = lambda d, x: d[d["date"] == date(2026, 2, x)]["volume"].sum()  # noqa: E731
    assert abs(day(p, 14) - 2 * day(b, 14)) <= 4 and day(p, 13) == day(b, 13)
    assert set(m["shift"]) == {"day", "mid", "night"} and m["volume"].sum() == b["volume"].sum()


@pytest.mark.parametrize("n, cores, procs, workers, expected", [
    (8, 2, None, None, (2, 1)), (1, 2, None, None, (1, 2)), (8, 8, None, 2, (4, 2)), (8, 4, 1, None, (1, 4)),
    (3, 16, None, None, (3, 5)),
])
def test_parallel_plan_never_exceeds_cores(n, cores, procs, workers, expected):
    p, w = plan_parallelism(n, cores, procs, workers)
    assert (p, w) == expected and p * w <= cores


def test_parallel_plan_rejects_oversubscription():
    with pytest.raises(InputError, match="exceeds the 2 CPU cores"):
        plan_parallelism(8, 2, 2, 2)


def test_cli_whatif_end_to_end_with_a_failing_scenario(base, tmp_path):
    path = write(base, [
        {"name": "baseline"},
        {"name": "promo +30%", "volume": [{"multiplier": 1.3, "shops": ["big"]}]},
        # a shop the history does not know: sizing has no rows for it -> this scenario fails alone
        {"name": "new shop", "config": {"shops": CONFIG["shops"] + [{"id": "kids"}]}},
    ], time_limit_s=3)
    out = tmp_path / "wi"
    res = CliRunner().invoke(main, ["whatif", "--scenarios", str(path), "--out", str(out), "--processes", "2",
                                    "--workers", "1", "--lang", "en"], catch_exceptions=False)
    assert res.exit_code == 1, res.output
    table = pd.read_csv(out / "whatif.csv")
    assert list(table["scenario"]) == ["baseline", "promo +30%", "new shop"]
    ok = table[table["status"] != "FAILED"]
    assert len(ok) == 2 and (ok["hard_violations"] == 0).all() and (ok["monthly_cost"] > 0).all()
    assert table.loc[1, "volume"] > table.loc[0, "volume"]
    assert table.loc[2, "status"] == "FAILED" and "kids" in table.loc[2, "error"]
    for slug in ("01-baseline", "02-promo-30"):
        folder = out / "scenarios" / slug
        assert {"roster.csv", "coverage.csv", "demand.csv", "summary.json"} <= {p.name for p in folder.iterdir()}
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["solver_parameters"]["workers"] == 1  # the plan reached CP-SAT's parameters
    page = (out / "report.html").read_text(encoding="utf-8")
    for sid in ("comparison", "failed", "forecast", "scenarios"):
        assert f'<section id="{sid}">' in page
    assert "Scenario comparison" in page and "promo +30%" in page
    again = CliRunner().invoke(main, ["whatif", "--scenarios", str(path), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_example_scenarios_file_validates():
    """configs/scenarios.example.yaml (its table is in the README) has >= 5 valid scenarios."""
    path = Path(__file__).resolve().parents[1] / "configs" / "scenarios.example.yaml"
    base, jobs = build_jobs(path)
    assert len(jobs) >= 5 and base.month == date(2026, 8, 1)
    assert {j.config.rules.max_shops_per_agent for j in jobs} == {2, 3}
    assert len({len(j.agents) for j in jobs}) >= 3
