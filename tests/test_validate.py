"""The independent roster validator `check_roster`, on a hand-built month (no solver).

`build_roster` generates a valid March 2026 roster for four agents programmatically; each test
then breaks one rule by hand in a copy and checks that exactly that rule is reported.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.config import parse_config
from scheduler.domain import Agent, Request, month_days
from scheduler.validate import VIOLATION_COLUMNS, check_roster

MONTH = date(2026, 3, 1)  # a Sunday; full Mon-Sun weeks are 2-8, 9-15, 16-22, 23-29 March
DAYS = month_days(MONTH)
SHOPS = ("big", "small", "mini")
CONFIG = parse_config({"shops": [{"id": s} for s in SHOPS]}, "test-config")

AGENTS = (
    Agent("A1", "one", "senior", ("big",)),
    Agent("A2", "two", "junior", ("small",)),
    Agent("A3", "three", "gold", ()),  # any shop
    Agent("A4", "four", "junior", ("big", "small"), hire_date=date(2026, 2, 20)),  # training until 6 March
)
REQUESTS = (Request("A2", date(2026, 3, 16), date(2026, 3, 18), "leave"),)
NIGHT_FIRST = ("A3",)  # A3 works its night block first, the others their day block first
LOAD = 100


# two weekdays off per week, three or four days apart: runs of at most 3 workdays
OFF_WEEKDAYS = {"A1": (0, 3), "A2": (1, 4), "A3": (4, 0), "A4": (3, 6)}  # Monday is 0


def default_off(agent_id: str) -> set[date]:
    return {d for d in DAYS if d.weekday() in OFF_WEEKDAYS[agent_id]}


def split_blocks(workdays: list[date], night_first: bool) -> dict[date, str]:
    """Half-month rotation: one block of each shift type, nights within 1 of half the workdays.

    A night block followed by a day block needs an off day between them (11 h rest), so the
    split point is chosen where the calendar has a gap.
    """
    w = len(workdays)
    if not night_first:
        n_day = w - w // 2
        return {d: ("day" if i < n_day else "night") for i, d in enumerate(workdays)}
    for n_night in (w // 2, w - w // 2):
        if workdays[n_night] - workdays[n_night - 1] > timedelta(days=1):
            return {d: ("night" if i < n_night else "day") for i, d in enumerate(workdays)}
    raise AssertionError("no calendar gap in the middle of the workdays")


def shop_for(agent: Agent, d: date) -> str:
    allowed = agent.shops or ("big", "small")
    return allowed[d.day % len(allowed)] if agent.id != "A4" else allowed[(d.day + 1) % len(allowed)]


def build_roster(agents=AGENTS, requests=REQUESTS, off: dict[str, set[date]] | None = None,
                 night_first=NIGHT_FIRST) -> pd.DataFrame:
    """A valid roster (columns date, agent_id, shift, shop, load), one row per agent and day."""
    off = off or {}
    rows = []
    for agent in agents:
        leave = {d for q in requests if q.agent_id == agent.id and q.kind == "leave" for d in q.days()}
        offs = off.get(agent.id, default_off(agent.id)) - leave
        workdays = [d for d in DAYS if d not in offs and d not in leave]
        shifts = split_blocks(workdays, agent.id in night_first)
        for d in DAYS:
            if d in leave:
                rows.append((d, agent.id, "leave", "", 0))
            elif d in offs:
                rows.append((d, agent.id, "off", "", 0))
            else:
                load = 0 if agent.in_training(d, CONFIG.rules.training_days) else LOAD
                rows.append((d, agent.id, shifts[d], shop_for(agent, d), load))
    return pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])


def build_demand(volume: int = 400) -> pd.DataFrame:
    """Generous demand: four agents at band target never exceed it."""
    rows = [(d, p, s, volume) for d in DAYS for p in SHOPS for s in CONFIG.shift_ids]
    return pd.DataFrame(rows, columns=["date", "shop", "shift", "volume"])


DEMAND = build_demand()


def check(roster, config=CONFIG, agents=AGENTS, demand=DEMAND, requests=REQUESTS) -> pd.DataFrame:
    return check_roster(roster, config, agents, demand, MONTH, requests)


def rules_of(violations: pd.DataFrame) -> set[str]:
    return set(violations["rule"])


def row_index(roster: pd.DataFrame, agent_id: str, d: date) -> int:
    idx = roster.index[(roster["agent_id"] == agent_id) & (roster["date"] == d)]
    assert len(idx) == 1, (agent_id, d)
    return idx[0]


def set_row(roster: pd.DataFrame, agent_id: str, d: date, **values) -> None:
    i = row_index(roster, agent_id, d)
    for k, v in values.items():
        roster.at[i, k] = v


def states(roster: pd.DataFrame, agent_id: str) -> list[tuple[date, str]]:
    g = roster[roster["agent_id"] == agent_id].sort_values("date")
    return list(zip(g["date"], g["shift"]))


def workdays(roster: pd.DataFrame, agent_id: str, shift: str | None = None) -> list[date]:
    return [d for d, s in states(roster, agent_id) if (s == shift if shift else s in ("day", "night"))]


@pytest.fixture
def roster() -> pd.DataFrame:
    return build_roster()


# ------------------------------------------------------------------- the valid instance


def test_valid_roster_has_no_violations(roster):
    v = check(roster)
    assert list(v.columns) == VIOLATION_COLUMNS
    assert v.empty, v.to_string()


def test_valid_roster_exercises_the_rules(roster):
    """The hand-made instance is not trivially valid: it touches every rule's boundary cases."""
    assert len(roster) == 4 * 31
    assert sum(s == "off" for _, s in states(roster, "A1")) == 9
    pairs = {(a, s1, s2) for a in ("A1", "A2", "A3", "A4")
             for (d1, s1), (d2, s2) in zip(states(roster, a), states(roster, a)[1:])}
    # day -> night and night -> night on consecutive calendar days are allowed and present
    assert ("A2", "day", "night") in pairs and ("A4", "day", "night") in pairs
    assert ("A1", "night", "night") in pairs
    # night -> day never directly follows
    assert not any(p[1:] == ("night", "day") for p in pairs)
    # A3 works nights first, with an off day before its day block
    a3 = states(roster, "A3")
    assert [s for _, s in a3 if s != "off"][0] == "night"
    # leave days are marked leave, A4 is in training (load 0) until 6 March
    assert [d.day for d, s in states(roster, "A2") if s == "leave"] == [16, 17, 18]
    a4 = roster[(roster["agent_id"] == "A4") & roster["shift"].isin(["day", "night"])]
    assert set(a4.loc[a4["date"] < date(2026, 3, 7), "load"]) == {0}
    assert set(a4.loc[a4["date"] >= date(2026, 3, 7), "load"]) == {LOAD}
    # A3 and A4 serve two shops each (the limit)
    assert set(roster.loc[roster["agent_id"] == "A3", "shop"]) - {""} == {"big", "small"}


def test_valid_roster_accepts_string_dates_and_empty_shop_as_nan(roster):
    r = roster.copy()
    r["date"] = r["date"].astype(str)
    r.loc[r["shop"] == "", "shop"] = None
    assert check(r).empty


# ------------------------------------------------------------------- one rule broken at a time


def only(violations: pd.DataFrame, rule: str) -> pd.DataFrame:
    assert rules_of(violations) == {rule}, violations.to_string()
    return violations


def test_one_state_per_day_missing_row(roster):
    d = workdays(roster, "A1", "day")[0]
    r = roster.drop(index=row_index(roster, "A1", d))
    v = only(check(r), "one_state_per_day")
    assert len(v) == 1
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", d)
    assert "no row" in v.iloc[0]["detail"]


def test_one_state_per_day_two_shifts(roster):
    d = workdays(roster, "A1", "day")[2]
    extra = pd.DataFrame([(d, "A1", "night", "big", 0)], columns=roster.columns)
    v = only(check(pd.concat([roster, extra], ignore_index=True)), "one_state_per_day")
    assert v.iloc[0]["agent_id"] == "A1" and v.iloc[0]["date"] == d
    assert "['day', 'night']" in v.iloc[0]["detail"]


def test_one_state_per_day_worked_and_off(roster):
    d = workdays(roster, "A1", "day")[2]
    extra = pd.DataFrame([(d, "A1", "off", "", 0)], columns=roster.columns)
    v = check(pd.concat([roster, extra], ignore_index=True))
    assert "one_state_per_day" in rules_of(v)
    assert "['day', 'off']" in v.loc[v["rule"] == "one_state_per_day", "detail"].iloc[0]


def test_one_state_per_day_shop_listed_twice(roster):
    d = workdays(roster, "A1", "day")[2]
    extra = pd.DataFrame([(d, "A1", "day", "big", 0)], columns=roster.columns)
    v = only(check(pd.concat([roster, extra], ignore_index=True)), "one_state_per_day")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"], v.iloc[0]["shop"]) == ("A1", d, "big")
    assert "shop listed twice" in v.iloc[0]["detail"]


def test_two_shops_in_one_shift_is_allowed(roster):
    """A worked shift may be split between two shops (different rows, same shift)."""
    d = workdays(roster, "A3", "day")[0]
    shop = roster.at[row_index(roster, "A3", d), "shop"]
    other = "small" if shop == "big" else "big"
    set_row(roster, "A3", d, load=60)
    extra = pd.DataFrame([(d, "A3", "day", other, 60)], columns=roster.columns)
    assert check(pd.concat([roster, extra], ignore_index=True)).empty


@pytest.mark.parametrize("shift,shop,load", [("off", "big", 0), ("off", "", 5), ("leave", "small", 0)])
def test_off_rows_empty(roster, shift, shop, load):
    d = date(2026, 3, 16) if shift == "leave" else next(d for d, s in states(roster, "A1") if s == "off")
    agent = "A2" if shift == "leave" else "A1"
    set_row(roster, agent, d, shop=shop, load=load)
    v = only(check(roster), "off_rows_empty")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == (agent, d)
    assert v.iloc[0]["detail"] == f"{shift} row must have an empty shop and load 0"


def test_worked_row_has_shop(roster):
    d = workdays(roster, "A4", "day")[0]  # in training: load 0, so coverage is untouched
    assert roster.at[row_index(roster, "A4", d), "load"] == 0
    set_row(roster, "A4", d, shop="")
    v = only(check(roster), "worked_row_has_shop")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"], v.iloc[0]["shift"]) == ("A4", d, "day")


@pytest.mark.parametrize("load", [99.5, -1, "many"])
def test_load_whole(roster, load):
    d = workdays(roster, "A1", "night")[0]
    roster["load"] = roster["load"].astype(object)
    set_row(roster, "A1", d, load=load)
    v = only(check(roster), "load_whole")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", d)
    assert "is not a whole number >= 0" in v.iloc[0]["detail"]


def test_leave_honoured_works_on_leave(roster):
    d = date(2026, 3, 17)
    before = max(x for x in workdays(roster, "A2") if x < d)
    shift = roster.at[row_index(roster, "A2", before), "shift"]
    set_row(roster, "A2", d, shift=shift, shop="small", load=LOAD)
    v = only(check(roster), "leave_honoured")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"], v.iloc[0]["shift"]) == ("A2", d, shift)
    assert v.iloc[0]["detail"] == "works on approved leave"


def test_leave_honoured_leave_without_request(roster):
    d = next(d for d, s in states(roster, "A1") if s == "off")
    set_row(roster, "A1", d, shift="leave")
    v = only(check(roster), "leave_honoured")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", d)
    assert "without an approved leave request" in v.iloc[0]["detail"]


def test_leave_request_outside_month_is_ignored(roster):
    requests = REQUESTS + (Request("A1", date(2026, 2, 20), date(2026, 2, 28), "leave"),)
    assert check(roster, requests=requests).empty


def test_allowed_shops(roster):
    # swap A1 (big only) and A4 (big or small) on a day both work the same shift, A4 at small:
    # every shop keeps its load, only A1 is at a shop it may not serve
    d = next(d for d in workdays(roster, "A1")
             if roster.at[row_index(roster, "A4", d), "shop"] == "small"
             and roster.at[row_index(roster, "A4", d), "shift"] == roster.at[row_index(roster, "A1", d), "shift"])
    set_row(roster, "A1", d, shop="small")
    set_row(roster, "A4", d, shop="big")
    v = only(check(roster), "allowed_shops")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["shop"]) == ("A1", "small")
    assert "allowed ['big']" in v.iloc[0]["detail"]


def test_max_shops_per_agent(roster):
    d = workdays(roster, "A3")[5]
    set_row(roster, "A3", d, shop="mini")
    v = only(check(roster), "max_shops_per_agent")
    assert v.iloc[0]["agent_id"] == "A3"
    assert v.iloc[0]["detail"] == "serves 3 shops ['big', 'mini', 'small'], limit 2"


def test_max_shops_per_agent_follows_config(roster):
    config = parse_config({"shops": [{"id": s} for s in SHOPS], "rules": {"max_shops_per_agent": 1}}, "cfg")
    v = only(check(roster, config=config), "max_shops_per_agent")
    assert set(v["agent_id"]) == {"A3", "A4"}


@pytest.mark.parametrize("load,broken", [(120, False), (121, True)])
def test_load_cap(roster, load, broken):
    d = workdays(roster, "A1", "day")[0]
    set_row(roster, "A1", d, load=load)
    v = check(roster)
    if not broken:
        assert v.empty
        return
    only(v, "load_cap")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"], v.iloc[0]["shift"]) == ("A1", d, "day")
    assert v.iloc[0]["detail"] == "load 121 above band max 120"


def test_load_cap_sums_rows_of_one_shift(roster):
    d = workdays(roster, "A3", "day")[0]
    set_row(roster, "A3", d, load=70)
    extra = pd.DataFrame([(d, "A3", "day", "mini", 70)], columns=roster.columns)
    v = check(pd.concat([roster, extra], ignore_index=True))
    assert "load_cap" in rules_of(v)
    assert "load 140 above band max 120" in set(v["detail"])


def test_load_cap_scaled_by_paid_hours(roster):
    """With scale_by_paid_hours the 7 h night caps at floor(120 * 7 / 8) = 105."""
    config = parse_config({"shops": [{"id": s} for s in SHOPS], "band": {"scale_by_paid_hours": True}}, "cfg")
    d = workdays(roster, "A1", "night")[0]
    set_row(roster, "A1", d, load=105)
    assert check(roster, config=config).empty
    set_row(roster, "A1", d, load=106)
    v = only(check(roster, config=config), "load_cap")
    assert v.iloc[0]["detail"] == "load 106 above band max 105"


def test_training(roster):
    d = workdays(roster, "A4")[0]
    assert d < date(2026, 3, 7)
    set_row(roster, "A4", d, load=20)
    v = only(check(roster), "training")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A4", d)
    assert "hired 2026-02-20" in v.iloc[0]["detail"]


def test_training_ends_after_training_days(roster):
    """Hired 20 Feb with 15 training days: 6 March is the last day without load."""
    last = [d for d in workdays(roster, "A4") if d <= date(2026, 3, 6)][-1]
    first_free = [d for d in workdays(roster, "A4") if d >= date(2026, 3, 7)][0]
    assert roster.at[row_index(roster, "A4", first_free), "load"] == LOAD
    agents = AGENTS[:3] + (Agent("A4", "four", "junior", ("big", "small"), hire_date=last - timedelta(days=14)),)
    set_row(roster, "A4", last, load=LOAD)
    v = only(check(roster, agents=agents), "training")
    assert v.iloc[0]["date"] == last


def test_coverage_more_assigned_than_asked(roster):
    d = workdays(roster, "A1", "day")[0]
    demand = DEMAND.copy()
    cell = (demand["date"] == d) & (demand["shop"] == "big") & (demand["shift"] == "day")
    assigned = roster.loc[(roster["date"] == d) & (roster["shop"] == "big") & (roster["shift"] == "day"), "load"].sum()
    demand.loc[cell, "volume"] = assigned
    assert check(roster, demand=demand).empty  # exactly the volume is fine
    demand.loc[cell, "volume"] = assigned - 1
    v = only(check(roster, demand=demand), "coverage")
    assert (v.iloc[0]["date"], v.iloc[0]["shop"], v.iloc[0]["shift"]) == (d, "big", "day")
    assert v.iloc[0]["detail"] == f"assigned {assigned:g} above volume {assigned - 1}"


def test_coverage_missing_demand_row_counts_as_zero(roster):
    d = workdays(roster, "A1", "day")[0]
    demand = DEMAND[~((DEMAND["date"] == d) & (DEMAND["shop"] == "big") & (DEMAND["shift"] == "day"))]
    v = only(check(roster, demand=demand), "coverage")
    assert "above volume 0" in v.iloc[0]["detail"]


def test_min_rest_night_then_day(roster):
    # A3 works nights first with an off day before its day block: work that off day as a day
    a3 = dict(states(roster, "A3"))
    last_night = workdays(roster, "A3", "night")[-1]
    gap = last_night + timedelta(days=1)
    assert a3[gap] == "off"
    set_row(roster, "A3", gap, shift="day", shop="big", load=LOAD)
    v = only(check(roster), "min_rest")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"], v.iloc[0]["shift"]) == ("A3", gap, "day")
    assert v.iloc[0]["detail"] == f"night on {last_night} then day: 8 h rest, need 11 h"


def _two_days(first: str, second: str) -> pd.DataFrame:
    rows = [(d, "A1", "off", "", 0) for d in DAYS]
    rows[9] = (DAYS[9], "A1", first, "big", LOAD)
    rows[10] = (DAYS[10], "A1", second, "big", LOAD)
    return pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])


@pytest.mark.parametrize("first,second,violated", [
    ("night", "night", False),  # 17 h rest
    ("day", "night", False),    # 24 h rest
    ("day", "day", False),      # 15 h rest
    ("night", "day", True),     # 8 h rest
])
def test_min_rest_pairs(first, second, violated):
    v = check(_two_days(first, second), agents=AGENTS[:1], requests=())
    rest = v[v["rule"] == "min_rest"]
    assert len(rest) == (1 if violated else 0), v.to_string()


def test_min_rest_follows_config(roster):
    """With 18 h rest required, the valid roster's night -> night (17 h) is now too short."""
    config = parse_config({"shops": [{"id": s} for s in SHOPS], "rules": {"min_rest_hours": 18}}, "cfg")
    v = check(roster, config=config)
    assert rules_of(v) == {"min_rest"}
    details = list(v["detail"])
    assert any(x.startswith("night on ") and x.endswith("then night: 17 h rest, need 18 h") for x in details)
    assert any(x.startswith("day on ") and x.endswith("then day: 15 h rest, need 18 h") for x in details)
    assert not any("then night: 24 h" in x for x in details)  # day -> night leaves 24 h


def test_max_consecutive_workdays(roster):
    # A1 is off Mondays and Thursdays: work Thu 5 and Mon 9 March -> Tue 3 to Wed 11 (9 days)
    off = {"A1": default_off("A1") - {date(2026, 3, 5), date(2026, 3, 9)}}
    r = build_roster(off=off)
    v = only(check(r), "max_consecutive_workdays")
    assert len(v) == 1  # one run, reported once, on its 7th day
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", date(2026, 3, 9))
    assert v.iloc[0]["detail"] == "more than 6 workdays in a row"


def test_six_consecutive_workdays_allowed():
    off = {"A1": default_off("A1") - {date(2026, 3, 5)}}  # Tue 3 to Sun 8 March: six days
    assert check(build_roster(off=off)).empty


def test_min_days_off_per_week():
    # a config demanding two days off a week; A1 keeps only Monday 9 off in the week of 9 March
    config = parse_config({"shops": [{"id": s} for s in SHOPS], "rules": {"min_days_off_per_week": 2}}, "cfg")
    assert check(build_roster(), config=config).empty
    off = {"A1": default_off("A1") - {date(2026, 3, 12)}}
    v = only(check(build_roster(off=off), config=config), "min_days_off_per_week")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", date(2026, 3, 9))
    assert v.iloc[0]["detail"] == "1 days off in the week from 2026-03-09, need 2"


def test_full_week_worked_breaks_weekly_rest():
    # no day off Mon 9 - Sun 15 March (also 7+ workdays in a row under the default config)
    off = {"A1": default_off("A1") - {date(2026, 3, 9), date(2026, 3, 12)}}
    v = check(build_roster(off=off))
    assert rules_of(v) == {"min_days_off_per_week", "max_consecutive_workdays"}
    week = v[v["rule"] == "min_days_off_per_week"].iloc[0]
    assert (week["agent_id"], week["date"]) == ("A1", date(2026, 3, 9))
    assert week["detail"] == "0 days off in the week from 2026-03-09, need 1"


def test_partial_weeks_need_no_day_off():
    """1 March (Sunday) and 30-31 March (Mon-Tue) are not whole weeks inside the month."""
    config = parse_config({"shops": [{"id": s} for s in SHOPS],
                           "rules": {"max_consecutive_workdays": 31, "min_days_off_per_week": 1,
                                     "min_days_off_per_month": 0, "rotation": "none"}}, "cfg")
    off = {"A1": {date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)}}
    v = check(build_roster(off=off), config=config)
    assert v.empty, v.to_string()


def test_days_off_per_month_too_many():
    # A1 off Mondays and Thursdays (9 days) plus Sat 7 and Sat 14: 11 > 10
    off = {"A1": default_off("A1") | {date(2026, 3, 7), date(2026, 3, 14)}}
    v = only(check(build_roster(off=off)), "days_off_per_month")
    assert v.iloc[0]["agent_id"] == "A1"
    assert v.iloc[0]["detail"] == "11 days off; expected 4-10 (0 days of leave)"


def test_days_off_per_month_ten_allowed():
    off = {"A1": default_off("A1") | {date(2026, 3, 7)}}
    assert check(build_roster(off=off)).empty


def test_days_off_per_month_pro_rata_to_leave():
    """10 days of leave: 21 days available, bounds floor(4*21/31)=2 to ceil(10*21/31)=7."""
    leave = Request("A1", date(2026, 3, 1), date(2026, 3, 10), "leave")
    requests = REQUESTS + (leave,)
    thursdays = {d for d in DAYS if d.weekday() == 3 and d.day > 10}
    mondays = {d for d in DAYS if d.weekday() == 0 and d.day > 10}
    assert len(thursdays | mondays) == 6
    ok = build_roster(requests=requests, off={"A1": thursdays | mondays})
    assert check(ok, requests=requests).empty
    extra = {date(2026, 3, 14), date(2026, 3, 21)}  # Saturdays: 8 days off
    r = build_roster(requests=requests, off={"A1": thursdays | mondays | extra})
    v = only(check(r, requests=requests), "days_off_per_month")
    assert v.iloc[0]["detail"] == "8 days off; expected 2-7 (10 days of leave)"


def test_rotation_too_many_nights(roster):
    for d in workdays(roster, "A1", "day"):
        set_row(roster, "A1", d, shift="night")
    v = only(check(roster), "rotation")
    assert v.iloc[0]["agent_id"] == "A1"
    assert v.iloc[0]["detail"] == "22 nights of 22 workdays; expected within 1 of half"


def test_rotation_nights_within_one_of_half(roster):
    # A1: 11 days then 11 nights; one more night (12 of 22) is still within 1 of half
    last_day = workdays(roster, "A1", "day")[-1]
    set_row(roster, "A1", last_day, shift="night")
    assert check(roster).empty
    # 12 of 21 is 1.5 away from half: one day more off (Sun 1 March) breaks it
    set_row(roster, "A1", date(2026, 3, 1), shift="off", shop="", load=0)
    v = only(check(roster), "rotation")
    assert v.iloc[0]["detail"] == "12 nights of 21 workdays; expected within 1 of half"


def test_rotation_more_than_one_switch(roster):
    # A1's first workday (Sun 1 March) is followed by an off day, so a night there keeps 11 h rest
    first = workdays(roster, "A1")[0]
    assert first == date(2026, 3, 1) and dict(states(roster, "A1"))[date(2026, 3, 2)] == "off"
    set_row(roster, "A1", first, shift="night")
    v = only(check(roster), "rotation")
    assert v.iloc[0]["agent_id"] == "A1"
    assert v.iloc[0]["detail"] == "2 switches between day and night blocks; half-month allows 1"


def test_rotation_balanced_allows_switches(roster):
    config = parse_config({"shops": [{"id": s} for s in SHOPS], "rules": {"rotation": "balanced"}}, "cfg")
    set_row(roster, "A1", date(2026, 3, 1), shift="night")
    assert check(roster, config=config).empty


def test_in_month(roster):
    extra = pd.DataFrame([(date(2026, 4, 1), "A1", "off", "", 0)], columns=roster.columns)
    v = only(check(pd.concat([roster, extra], ignore_index=True)), "in_month")
    assert (v.iloc[0]["agent_id"], v.iloc[0]["date"]) == ("A1", date(2026, 4, 1))
    assert v.iloc[0]["detail"] == "date outside 2026-03"


# ------------------------------------------------------------------- properties


def _sequence_roster(seq: list[str]) -> pd.DataFrame:
    rows = [(d, "A1", s, "" if s == "off" else "big", 0 if s == "off" else LOAD) for d, s in zip(DAYS, seq)]
    return pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["day", "night", "off"]), min_size=31, max_size=31))
def test_min_rest_flags_exactly_each_night_followed_by_a_day(seq):
    v = check(_sequence_roster(seq), agents=AGENTS[:1], requests=())
    expected = [DAYS[i + 1] for i in range(30) if seq[i] == "night" and seq[i + 1] == "day"]
    assert list(v.loc[v["rule"] == "min_rest", "date"]) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["day", "off"]), min_size=31, max_size=31))
def test_max_consecutive_flags_each_run_longer_than_six_once(seq):
    v = check(_sequence_roster(seq), agents=AGENTS[:1], requests=())
    runs, run = [], 0
    for d, s in zip(DAYS, seq):
        run = run + 1 if s == "day" else 0
        if run == 7:
            runs.append(d)
    assert list(v.loc[v["rule"] == "max_consecutive_workdays", "date"]) == runs
