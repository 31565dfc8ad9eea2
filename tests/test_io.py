"""The CSV input contracts and the output-folder guard (`scheduler.io`).

Every reader problem must name the file, the row (the header is row 1, as in a spreadsheet),
the column and what was expected. `where` builds that location prefix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Agent
from scheduler.errors import InputError, OutputExistsError
from scheduler.io import (atomic_output_dir, check_output_dir, read_demand, read_history, read_requests,
                          read_team)

SHOPS = ["big", "small"]
SHIFTS = ["day", "night"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def where(path: Path, row: int | None = None, column: str | None = None) -> str:
    out = str(path)
    if row is not None:
        out += f": row {row}"
    if column is not None:
        out += f", column '{column}'" if row is not None else f": column '{column}'"
    return out + ": "


def problems_of(call, *args) -> list[str]:
    with pytest.raises(InputError) as info:
        call(*args)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def the_problem(problems: list[str], prefix: str, *parts: str) -> str:
    """The one problem starting with `prefix` (file, row, column); it must contain every part."""
    found = [p for p in problems if p.startswith(prefix)]
    assert len(found) == 1, (prefix, problems)
    for part in parts:
        assert part in found[0], (part, found[0])
    return found[0]


# ================================================================== history


def test_history_reads_a_valid_file(tmp_path):
    f = write(tmp_path / "history.csv", "date,shop,inquiries\n2024-06-02,small,5\n2024-06-01,big,10\n"
                                        "2024-06-01,small,7\n2024/6/2,big,12.5\n")
    daily, hourly = read_history(f, SHOPS)
    assert hourly is None
    assert list(daily.columns) == ["date", "shop", "inquiries"]
    assert list(daily["shop"]) == ["big", "big", "small", "small"]  # sorted by shop, date
    assert list(daily["date"]) == [pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-02")] * 2
    assert list(daily["inquiries"]) == [10, 12.5, 7, 5]


def test_history_missing_column(tmp_path):
    f = write(tmp_path / "history.csv", "date,shop,volume\n2024-06-01,big,10\n")
    (p,) = problems_of(read_history, f, SHOPS)
    assert p.startswith(f"{f}: missing column(s) ['inquiries']")
    assert "expected columns ['date', 'shop', 'inquiries'" in p
    assert "'volume'" in p  # what was found


@pytest.mark.parametrize("text", ["2024-13-01", "yesterday", "2024-02-30", "01/06/2024", ""])
def test_history_unparsable_date(tmp_path, text):
    f = write(tmp_path / "h.csv", f"date,shop,inquiries\n2024-06-01,big,1\n{text},big,10\n")
    (p,) = problems_of(read_history, f, SHOPS)
    the_problem([p], where(f, 3, "date"), "YYYY-MM-DD", repr(text) if text else "empty")


@pytest.mark.parametrize("text", ["-1", "many", "1e", ""])
def test_history_bad_volume(tmp_path, text):
    f = write(tmp_path / "h.csv", f"date,shop,inquiries\n2024-06-01,big,{text}\n")
    (p,) = problems_of(read_history, f, ["big"])
    the_problem([p], where(f, 2, "inquiries"), "expected a number >= 0", repr(text) if text else "empty")


@pytest.mark.parametrize("second", ["2024-06-01", "2024/6/1"])
def test_history_duplicate_date_shop_names_both_rows(tmp_path, second):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n2024-06-01,big,1\n2024-06-01,small,2\n"
                                  f"{second},big,3\n")
    (p,) = problems_of(read_history, f, SHOPS)
    the_problem([p], f"{f}: row 4: ", "duplicate", "'big'", "2024-06-01", "first at row 2")


def test_history_unknown_shop(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n2024-06-01,big,1\n2024-06-01,small,1\n"
                                  "2024-06-01,outlet,2\n")
    (p,) = problems_of(read_history, f, SHOPS)
    the_problem([p], where(f, 4, "shop"), "unknown shop", "'outlet'", "['big', 'small']")


def test_history_config_shop_without_history(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n2024-06-01,big,1\n")
    (p,) = problems_of(read_history, f, ["big", "small", "kids"])
    the_problem([p], where(f, None, "shop"), "no history", "['small', 'kids']", "config")


def test_history_without_shop_list_accepts_any_shop(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n2024-06-01,anything,1\n")
    daily, _ = read_history(f)
    assert list(daily["shop"]) == ["anything"]


@pytest.mark.parametrize("volume_header", ["询单量", "咨询量"])
def test_history_chinese_headers(tmp_path, volume_header):
    f = write(tmp_path / "h.csv", f"日期,店铺,{volume_header}\n2024-06-01,big,3\n2024-06-01,small,4\n")
    daily, hourly = read_history(f, SHOPS)
    assert hourly is None
    assert daily.to_dict("list") == {"date": [pd.Timestamp("2024-06-01")] * 2, "shop": ["big", "small"],
                                     "inquiries": [3, 4]}


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig"])
def test_history_chinese_encodings(tmp_path, encoding):
    f = write(tmp_path / "h.csv", "日期,店铺,小时,询单量\n2024-06-01,big,9,3\n2024-06-01,big,10,4\n", encoding)
    if encoding != "utf-8-sig":
        with pytest.raises(UnicodeDecodeError):
            f.read_text(encoding="utf-8")  # really not UTF-8
    daily, hourly = read_history(f, ["big"])
    assert list(daily["inquiries"]) == [7]
    assert list(hourly["hour"]) == [9, 10]


def test_history_chinese_errors_still_name_the_canonical_column(tmp_path):
    f = write(tmp_path / "h.csv", "日期,店铺,询单量\n2024-06-01,big,-3\n", "gb18030")
    (p,) = problems_of(read_history, f, ["big"])
    the_problem([p], where(f, 2, "inquiries"), "'-3'")


def test_history_hour_column_sums_to_days(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,hour,inquiries\n2024-06-01,big,0,5\n2024-06-01,big,23,7\n"
                                  "2024-06-01,small,12,2\n2024-06-02,big,9,1\n")
    daily, hourly = read_history(f, SHOPS)
    assert daily.to_dict("list") == {
        "date": [pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-02"), pd.Timestamp("2024-06-01")],
        "shop": ["big", "big", "small"], "inquiries": [12, 1, 2]}
    assert list(hourly.columns) == ["date", "shop", "hour", "inquiries"]
    assert len(hourly) == 4
    assert hourly["hour"].tolist() == [0, 23, 12, 9]
    assert pd.api.types.is_integer_dtype(hourly["hour"])


@pytest.mark.parametrize("hour", ["24", "-1", "9.5", "noon"])
def test_history_bad_hour(tmp_path, hour):
    f = write(tmp_path / "h.csv", f"date,shop,hour,inquiries\n2024-06-01,big,1,5\n2024-06-01,big,{hour},5\n")
    (p,) = problems_of(read_history, f, ["big"])
    the_problem([p], where(f, 3, "hour"), "whole number", ">= 0 and <= 23", repr(hour))


def test_history_duplicate_hour_row(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,hour,inquiries\n2024-06-01,big,9,5\n2024-06-01,big,10,5\n"
                                  "2024-06-01,big,9,1\n")
    (p,) = problems_of(read_history, f, ["big"])
    the_problem([p], f"{f}: row 4: ", "duplicate", "first at row 2")


def test_history_reports_several_problems_at_once(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n2024-06-01,big,1\nyesterday,big,2\n"
                                  "2024-06-02,big,1\n2024-06-03,big,-4\n")
    ps = problems_of(read_history, f, ["big"])
    assert len(ps) == 2
    the_problem(ps, where(f, 3, "date"), "'yesterday'")
    the_problem(ps, where(f, 5, "inquiries"), "'-4'")


def test_history_lists_at_most_25_problems(tmp_path):
    f = write(tmp_path / "h.csv", "date,shop,inquiries\n" + "".join(f"2024-06-{d:02d},big,-1\n" for d in range(1, 31)))
    ps = problems_of(read_history, f, ["big"])
    assert len(ps) == 26
    assert ps[0].startswith(where(f, 2, "inquiries")) and ps[24].startswith(where(f, 26, "inquiries"))
    assert ps[25] == f"{f}: ... and 5 more problems"


def test_history_empty_and_missing_files(tmp_path):
    empty = write(tmp_path / "empty.csv", "")
    (p,) = problems_of(read_history, empty, SHOPS)
    assert p.startswith(f"{empty}: ") and "empty" in p and "['date', 'shop', 'inquiries']" in p
    missing = tmp_path / "nope.csv"
    (p,) = problems_of(read_history, missing, SHOPS)
    assert p == f"{missing}: file not found"


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(0, 3), st.sampled_from(SHOPS), st.integers(0, 23)),
                       st.integers(0, 500), min_size=2, max_size=30),
       st.randoms(use_true_random=False))
def test_history_hourly_sums_match_any_input(tmp_path_factory, cells, rnd):
    """Whatever the row order, daily totals are the sums of the hours and the hours are kept."""
    shops = sorted({s for _, s, _ in cells})
    rows = [(f"2024-06-{day + 1:02d}", s, h, v) for (day, s, h), v in cells.items()]
    rnd.shuffle(rows)
    f = tmp_path_factory.mktemp("prop") / "h.csv"
    write(f, "date,shop,hour,inquiries\n" + "".join(f"{d},{s},{h},{v}\n" for d, s, h, v in rows))
    daily, hourly = read_history(f, shops)
    expected: dict[tuple[pd.Timestamp, str], int] = {}
    for (day, s, _), v in cells.items():
        key = (pd.Timestamp(2024, 6, day + 1), s)
        expected[key] = expected.get(key, 0) + v
    assert {(r.date, r.shop): r.inquiries for r in daily.itertuples()} == expected
    assert list(zip(daily["shop"], daily["date"])) == sorted((s, d) for d, s in expected)
    assert len(hourly) == len(cells)
    assert hourly["inquiries"].sum() == sum(cells.values())


# ================================================================== team

TEAM_HEADER = "agent_id,name,tier,shops,hire_date\n"


def test_team_reads_agents(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + "A1,张芳,senior,big,2024-10-17\nA2,,Gold,big;small,\n"
                                                   "A3,李杰,junior,,\nA4,王五,elite,small；big,\n")
    agents = read_team(f, SHOPS)
    assert agents == [Agent("A1", "张芳", "senior", ("big",), date(2024, 10, 17)),
                      Agent("A2", "A2", "gold", ("big", "small"), None),
                      Agent("A3", "李杰", "junior", (), None),
                      Agent("A4", "王五", "elite", ("small", "big"), None)]


def test_team_empty_shops_means_any_shop(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + "A1,x,junior,,\nA2,y,junior,small,\n")
    any_shop, small_only = read_team(f, ["big", "small", "kids"])
    assert any_shop.shops == ()
    assert any_shop.allowed_shops(["big", "small", "kids"]) == ["big", "small", "kids"]
    assert small_only.allowed_shops(["big", "small", "kids"]) == ["small"]


def test_team_optional_columns(tmp_path):
    f = write(tmp_path / "team.csv", "agent_id,tier\nA1,expert\n")
    assert read_team(f, SHOPS) == [Agent("A1", "A1", "expert", (), None)]


@pytest.mark.parametrize("tier,expected", [("普通", "junior"), ("高级", "senior"), ("精英", "elite"),
                                           ("专家", "expert"), ("金牌", "gold"), ("Senior", "senior")])
def test_team_tier_aliases(tmp_path, tier, expected):
    f = write(tmp_path / "team.csv", TEAM_HEADER + f"A1,x,{tier},,\n")
    (agent,) = read_team(f, SHOPS)
    assert agent.tier == expected


def test_team_unknown_tier(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + "A1,x,junior,,\nA2,y,boss,,\n")
    (p,) = problems_of(read_team, f, SHOPS)
    the_problem([p], where(f, 3, "tier"), "unknown tier 'boss'", "'junior'", "'gold'", "'金牌'")


def test_team_unknown_shop(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + "A1,x,junior,big;outlet,\n")
    (p,) = problems_of(read_team, f, SHOPS)
    the_problem([p], where(f, 2, "shops"), "unknown shop 'outlet'", "['big', 'small']")


def test_team_duplicate_agent_id(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + "A1,x,junior,,\nA2,y,junior,,\nA1,z,senior,,\n")
    (p,) = problems_of(read_team, f, SHOPS)
    the_problem([p], f"{f}: row 4: ", "duplicate", "'A1'", "first at row 2")


@pytest.mark.parametrize("text", ["2024-02-30", "last spring", "17/10/2024"])
def test_team_bad_hire_date(tmp_path, text):
    f = write(tmp_path / "team.csv", TEAM_HEADER + f"A1,x,junior,,{text}\n")
    (p,) = problems_of(read_team, f, SHOPS)
    the_problem([p], where(f, 2, "hire_date"), "YYYY-MM-DD", repr(text))


def test_team_reports_every_problem(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER + ",x,junior,,\nA2,y,boss,outlet,2024-99-01\n")
    ps = problems_of(read_team, f, SHOPS)
    assert len(ps) == 4
    the_problem(ps, where(f, 2, "agent_id"), "empty")
    the_problem(ps, where(f, 3, "tier"), "'boss'")
    the_problem(ps, where(f, 3, "shops"), "'outlet'")
    the_problem(ps, where(f, 3, "hire_date"), "'2024-99-01'")


def test_team_without_agents(tmp_path):
    f = write(tmp_path / "team.csv", TEAM_HEADER)
    (p,) = problems_of(read_team, f, SHOPS)
    assert p.startswith(f"{f}: ") and "no agents" in p


# ================================================================== requests

REQ_HEADER = "agent_id,start,end,kind,shift,weight\n"
AGENT_IDS = ["A1", "A2"]


def test_requests_read_and_default(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-02,2026-03-04,leave,,\nA2,2026-03-05,,avoid,night,3\n"
                                                 "A2,2026-03-06,,on,,\n")
    leave, avoid, on = read_requests(f, AGENT_IDS, SHIFTS)
    assert (leave.agent_id, leave.start, leave.end, leave.kind, leave.shift, leave.weight, leave.row) == \
        ("A1", date(2026, 3, 2), date(2026, 3, 4), "leave", None, 1, 2)
    assert leave.days() == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert (avoid.end, avoid.shift, avoid.weight, avoid.row) == (date(2026, 3, 5), "night", 3, 3)
    assert (on.kind, on.weight) == ("on", 1)


def test_requests_weight_defaults_to_1_without_the_column(tmp_path):
    f = write(tmp_path / "req.csv", "agent_id,start,kind\nA1,2026-03-02,off\n")
    (req,) = read_requests(f, AGENT_IDS, SHIFTS)
    assert (req.weight, req.end, req.shift) == (1, date(2026, 3, 2), None)


@pytest.mark.parametrize("weight", ["-1", "1.5", "high"])
def test_requests_bad_weight(tmp_path, weight):
    f = write(tmp_path / "req.csv", REQ_HEADER + f"A1,2026-03-02,,off,,{weight}\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 2, "weight"), "whole number >= 0", repr(weight))


def test_requests_unknown_agent(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-02,,off,,\nA9,2026-03-02,,off,,\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 3, "agent_id"), "unknown agent 'A9'", "team file", "['A1', 'A2']")


def test_requests_unknown_kind(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-02,,holiday,,\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 2, "kind"), "'holiday'", "['leave', 'off', 'on', 'avoid', 'fixed']")


def test_requests_end_before_start(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-05,2026-03-04,leave,,\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 2, "end"), "2026-03-04", "before", "2026-03-05")


def test_requests_avoid_needs_a_shift(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-05,,avoid,,\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 2, "shift"), "empty", "'avoid'")


def test_requests_unknown_shift(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,2026-03-05,,avoid,dusk,\n")
    (p,) = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    the_problem([p], where(f, 2, "shift"), "unknown shift 'dusk'", "['day', 'night']")


def test_requests_bad_dates(tmp_path):
    f = write(tmp_path / "req.csv", REQ_HEADER + "A1,,,off,,\nA1,2026-03-05,soon,off,,\n")
    ps = problems_of(read_requests, f, AGENT_IDS, SHIFTS)
    assert len(ps) == 2
    the_problem(ps, where(f, 2, "start"), "empty", "YYYY-MM-DD")
    the_problem(ps, where(f, 3, "end"), "'soon'", "YYYY-MM-DD")


# ================================================================== demand

DEMAND_HEADER = "date,shop,shift,volume\n"


def test_demand_reads_a_valid_file(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,big,day,120\n2026-03-01,big,night,80.4\n"
              "2026/3/2,small,day,0\n")
    d = read_demand(f, SHOPS, SHIFTS)
    assert d[["date", "shop", "shift", "volume"]].to_dict("list") == {
        "date": [date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 2)], "shop": ["big", "big", "small"],
        "shift": ["day", "night", "day"], "volume": [120, 80, 0]}
    assert all(type(x) is date for x in d["date"])
    assert pd.api.types.is_integer_dtype(d["volume"])


@pytest.mark.parametrize("volume", ["-1", "lots", ""])
def test_demand_bad_volume(tmp_path, volume):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + f"2026-03-01,big,day,{volume}\n")
    (p,) = problems_of(read_demand, f, SHOPS, SHIFTS)
    the_problem([p], where(f, 2, "volume"), "expected a number >= 0", repr(volume) if volume else "empty")


def test_demand_duplicate_row(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,big,day,1\n2026-03-01,big,night,1\n"
              "2026-03-01,big,day,2\n")
    (p,) = problems_of(read_demand, f, SHOPS, SHIFTS)
    the_problem([p], f"{f}: row 4: ", "duplicate", "'2026-03-01'", "'big'", "'day'", "first at row 2")


def test_demand_duplicate_row_written_differently(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,big,day,1\n2026/3/1,big,day,2\n")
    (p,) = problems_of(read_demand, f, SHOPS, SHIFTS)
    the_problem([p], f"{f}: row 3: ", "duplicate", "first at row 2")


def test_demand_unknown_shop(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,outlet,day,1\n")
    (p,) = problems_of(read_demand, f, SHOPS, SHIFTS)
    the_problem([p], where(f, 2, "shop"), "unknown shop 'outlet'", "['big', 'small']")


def test_demand_unknown_shift(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,big,dusk,1\n")
    (p,) = problems_of(read_demand, f, SHOPS, SHIFTS)
    the_problem([p], where(f, 2, "shift"), "unknown shift 'dusk'", "['day', 'night']")


def test_demand_reports_every_problem(tmp_path):
    f = write(tmp_path / "demand.csv", DEMAND_HEADER + "2026-03-01,outlet,day,1\n2026-03-02,big,dusk,-2\n"
              "March 3,big,day,1\n")
    ps = problems_of(read_demand, f, SHOPS, SHIFTS)
    assert len(ps) == 4
    the_problem(ps, where(f, 2, "shop"), "'outlet'")
    the_problem(ps, where(f, 3, "shift"), "'dusk'")
    the_problem(ps, where(f, 3, "volume"), "'-2'")
    the_problem(ps, where(f, 4, "date"), "'March 3'")


# ================================================================== output folder


def test_check_output_dir_accepts_absent_and_empty(tmp_path):
    assert check_output_dir(tmp_path / "new", force=False) == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty", force=False) == tmp_path / "empty"
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_check_output_dir_refuses_non_empty_unless_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("x\n")
    with pytest.raises(OutputExistsError) as info:
        check_output_dir(out, force=False)
    assert isinstance(info.value, InputError)
    (p,) = info.value.problems
    assert p.startswith(f"{out}: ") and "not empty" in p and "--force" in p
    assert check_output_dir(out, force=True) == out
    assert (out / "old.csv").read_text() == "x\n"  # force only allows; nothing is removed yet


def test_check_output_dir_refuses_a_file(tmp_path):
    f = write(tmp_path / "out", "x")
    with pytest.raises(OutputExistsError, match="not a folder"):
        check_output_dir(f, force=True)


def _old_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "roster.csv").write_text("old\n")
    return out


@pytest.mark.parametrize("force", [False, True])
def test_atomic_output_dir_failure_leaves_old_folder(tmp_path, force):
    out = _old_folder(tmp_path) if force else tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_output_dir(out, force=force) as tmp:
            assert tmp.parent == tmp_path.resolve() and tmp != out.resolve()
            (tmp / "roster.csv").write_text("new\n")
            raise RuntimeError("boom")
    assert not tmp.exists()
    if force:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
        assert sorted(p.name for p in out.iterdir()) == ["roster.csv"]
        assert (out / "roster.csv").read_text() == "old\n"
    else:
        assert list(tmp_path.iterdir()) == []


def test_atomic_output_dir_refuses_non_empty_before_the_body(tmp_path):
    out = _old_folder(tmp_path)
    ran = []
    with pytest.raises(OutputExistsError):
        with atomic_output_dir(out, force=False):
            ran.append(True)
    assert ran == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "roster.csv").read_text() == "old\n"


def test_atomic_output_dir_replaces_with_force(tmp_path):
    out = _old_folder(tmp_path)
    (out / "stale.png").write_text("stale")
    with atomic_output_dir(out, force=True) as tmp:
        (tmp / "roster.csv").write_text("new\n")
        assert (out / "roster.csv").read_text() == "old\n"  # untouched until the body succeeds
    assert sorted(p.name for p in out.iterdir()) == ["roster.csv"]
    assert (out / "roster.csv").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp or .old folder left


def test_atomic_output_dir_creates_a_new_folder(tmp_path):
    out = tmp_path / "deep" / "out"
    with atomic_output_dir(out) as tmp:
        (tmp / "a.csv").write_text("a\n")
    assert (out / "a.csv").read_text() == "a\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_write_text_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    from scheduler.io import write_text
    path = tmp_path / "results.json"
    write_text(path, "old\n")
    write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]  # no part file left

    def fail(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr("scheduler.io.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_text(path, "half\n")
    assert path.read_text() == "new\n"  # the old file as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]
