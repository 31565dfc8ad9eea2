"""The YAML configuration: documented defaults and problems reported with their path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scheduler.config import Config, load_config, parse_config
from scheduler.errors import InputError

SHOPS = {"shops": [{"id": "big"}, {"id": "small"}]}


def problems_of(data, source: str = "cfg.yaml") -> list[str]:
    with pytest.raises(InputError) as info:
        parse_config(data, source)
    return info.value.problems


def the_problem(problems: list[str], prefix: str, *parts: str) -> str:
    found = [p for p in problems if p.startswith(prefix)]
    assert len(found) == 1, (prefix, problems)
    for part in parts:
        assert part in found[0], (part, found[0])
    return found[0]


def shift(id_: str = "day", start: str = "08:30", end: str = "17:30", paid_hours: float = 8, **extra) -> dict:
    return {"id": id_, "start": start, "end": end, "paid_hours": paid_hours, **extra}


# ------------------------------------------------------------------- defaults


def test_defaults_are_the_documented_ones():
    c = parse_config(SHOPS, "cfg")
    assert c.shop_ids == ["big", "small"]
    assert (c.band.min, c.band.target, c.band.max, c.band.scale_by_paid_hours) == (80, 100, 120, False)
    r = c.rules
    assert (r.max_shops_per_agent, r.max_consecutive_workdays, r.min_rest_hours, r.min_days_off_per_week) == (2, 6, 11, 1)
    assert (r.min_days_off_per_month, r.max_days_off_per_month, r.training_days) == (4, 10, 15)
    assert r.rotation == "half-month"
    assert (c.solver.time_limit_s, c.solver.workers, c.solver.seed, c.solver.log) == (30, 2, 0, False)
    assert c.shift_ids == ["day", "night"]
    day, night = c.shifts
    assert (day.start, day.end, day.paid_hours, day.is_night) == ("08:30", "17:30", 8, False)
    assert (night.start, night.end, night.paid_hours, night.is_night) == ("17:30", "00:30", 7, True)
    assert (day.start_minutes, day.end_minutes) == (510, 1050)
    assert (night.start_minutes, night.end_minutes) == (1050, 1470)
    assert c.shift_shares() == {"day": 0.55, "night": 0.45}
    assert c.forecast.quantiles == [0.5, 0.8, 0.9] and c.forecast.staffing_quantile == 0.8


def test_load_config_reads_yaml(tmp_path):
    f = tmp_path / "config.yaml"
    f.write_text("# comment\nshops:\n  - {id: big, name: 旗舰店}\nrules:\n  max_shops_per_agent: 3\n"
                 "shifts:\n  - {id: early, start: \"06:00\", end: \"14:00\", paid_hours: 8}\n"
                 "  - {id: late, start: \"14:00\", end: \"22:00\", paid_hours: 8}\n", encoding="utf-8")
    c = load_config(f)
    assert isinstance(c, Config)
    assert c.shops[0].name == "旗舰店"
    assert c.rules.max_shops_per_agent == 3
    assert c.rules.max_consecutive_workdays == 6  # untouched keys keep their default
    assert [s.is_night for s in c.shifts] == [False, False]
    assert c.shift_shares() == {"early": 0.5, "late": 0.5}


def test_bundled_demo_config_loads():
    from importlib import resources
    with resources.as_file(resources.files("scheduler.demo_data") / "config.yaml") as path:
        c = load_config(path)
    assert c.shifts == parse_config(SHOPS).shifts


@pytest.mark.parametrize("start,end,night,expected", [
    ("18:00", "23:00", None, True),    # starts at/after 17:00
    ("16:00", "01:00", None, True),    # crosses midnight
    ("09:00", "17:00", None, False),
    ("09:00", "17:00", True, True),    # explicit wins
    ("22:00", "06:00", False, False),
])
def test_is_night(start, end, night, expected):
    c = parse_config({**SHOPS, "shifts": [shift("a", start, end, 8, night=night)]})
    assert c.shifts[0].is_night is expected


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 23), st.integers(0, 59))
def test_any_valid_time_pair_spans_at_most_a_day(h1, m1, h2, m2):
    s = parse_config({**SHOPS, "shifts": [shift("a", f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}")]}).shifts[0]
    assert s.start_minutes == h1 * 60 + m1
    assert s.start_minutes < s.end_minutes <= s.start_minutes + 1440
    assert s.end_minutes % 1440 == h2 * 60 + m2


# ------------------------------------------------------------------- problems with their path


def test_unknown_key_names_its_path():
    (p,) = problems_of({**SHOPS, "rules": {"max_shop_per_agent": 2}})
    assert p.startswith("cfg.yaml: rules.max_shop_per_agent: ")
    assert "unknown key" in p


@pytest.mark.parametrize("data,path", [
    ({**SHOPS, "shift": []}, "shift"),
    ({**SHOPS, "shifts": [shift(colour="red")]}, "shifts.0.colour"),
    ({"shops": [{"id": "big", "url": "x"}]}, "shops.0.url"),
    ({**SHOPS, "solver": {"threads": 8}}, "solver.threads"),
])
def test_unknown_keys_anywhere(data, path):
    (p,) = problems_of(data)
    the_problem([p], f"cfg.yaml: {path}: ", "unknown key")


def test_several_problems_reported_at_once():
    ps = problems_of({**SHOPS, "band": {"min": 130}, "shifts": [shift(end="25:00")],
                      "rules": {"max_shops_per_agent": 4}})
    assert len(ps) == 3
    the_problem(ps, "cfg.yaml: band: ", "min <= target <= max", "130, 100, 120")
    the_problem(ps, "cfg.yaml: shifts.0.end: ", "HH:MM", "'25:00'")
    the_problem(ps, "cfg.yaml: rules.max_shops_per_agent: ", "3")


@pytest.mark.parametrize("text", ["25:00", "8:30", "08:60", "noon", "24:00"])
def test_bad_time(text):
    (p,) = problems_of({**SHOPS, "shifts": [shift(start=text)]})
    the_problem([p], "cfg.yaml: shifts.0.start: ", "expected a time HH:MM", repr(text))


def test_unquoted_yaml_time_is_read_as_the_time(tmp_path):
    """YAML 1.1 reads an unquoted 17:30 as the integer 1050; the config takes it back as 17:30."""
    f = tmp_path / "c.yaml"
    f.write_text("shops: [{id: big}]\nshifts:\n  - {id: day, start: \"08:30\", end: 17:30, paid_hours: 8}\n")
    assert load_config(f).shifts[0].end == "17:30"


def test_invalid_yaml_names_the_line(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("shops:\n  - id: big\nrules: {max_shops_per_agent: 2\nsolver: x\n")
    with pytest.raises(InputError) as info:
        load_config(f)
    (p,) = info.value.problems
    assert p.startswith(f"{f}: line 4 column ")
    assert "not valid YAML" in p


def test_bad_indentation_names_the_line(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("shops:\n  - id: big\nrules:\n  training_days: 10\n bad: 1\n")
    with pytest.raises(InputError) as info:
        load_config(f)
    assert info.value.problems[0].startswith(f"{f}: line 5 column ")


def test_load_config_problems_name_the_file(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("shops: [{id: big}]\nrules: {max_shop_per_agent: 2}\n")
    with pytest.raises(InputError) as info:
        load_config(f)
    (p,) = info.value.problems
    assert p.startswith(f"{f}: rules.max_shop_per_agent: ")


@pytest.mark.parametrize("text,kind", [("", "NoneType"), ("- a\n- b\n", "list"), ("just text\n", "str")])
def test_top_level_must_be_a_mapping(tmp_path, text, kind):
    f = tmp_path / "c.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(f)
    assert info.value.problems == [f"{f}: expected a mapping of keys at the top level, got {kind}"]


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_config(tmp_path / "nope.yaml")
    (p,) = info.value.problems
    assert p.startswith(f"{tmp_path / 'nope.yaml'}: cannot read config")


def test_shops_required_and_non_empty():
    the_problem(problems_of({}), "cfg.yaml: shops: ", "required")
    the_problem(problems_of({"shops": []}), "cfg.yaml: shops: ", "at least 1")


def test_volume_share_must_sum_to_one():
    (p,) = problems_of({**SHOPS, "shifts": [shift(volume_share=0.5), shift("night", "17:30", "00:30", 7,
                                                                            volume_share=0.4)]})
    assert p.startswith("cfg.yaml: ")
    assert "shifts: volume_share must sum to 1, got 0.9" in p


def test_volume_share_for_every_shift_or_none():
    (p,) = problems_of({**SHOPS, "shifts": [shift(volume_share=1.0), shift("night", "17:30", "00:30", 7)]})
    assert "volume_share for every shift or for none" in p


def test_duplicate_shift_ids():
    (p,) = problems_of({**SHOPS, "shifts": [shift(), shift("day", "17:30", "00:30", 7)]})
    assert p.startswith("cfg.yaml: ")
    assert "shifts: duplicate id(s) ['day']" in p


def test_duplicate_shop_ids():
    (p,) = problems_of({"shops": [{"id": "big"}, {"id": "big"}]})
    assert "shops: duplicate id(s) ['big']" in p


@pytest.mark.parametrize("reserved", ["off", "leave"])
def test_reserved_shift_ids(reserved):
    (p,) = problems_of({**SHOPS, "shifts": [shift(reserved)]})
    the_problem([p], "cfg.yaml: shifts.0.id: ", f"'{reserved}'", "reserved")


@pytest.mark.parametrize("value,ok", [(0, False), (1, True), (3, True), (4, False)])
def test_max_shops_per_agent_range(value, ok):
    data = {**SHOPS, "rules": {"max_shops_per_agent": value}}
    if ok:
        assert parse_config(data).rules.max_shops_per_agent == value
    else:
        (p,) = problems_of(data)
        the_problem([p], "cfg.yaml: rules.max_shops_per_agent: ", "1" if value < 1 else "3")


def test_days_off_bounds_ordered():
    (p,) = problems_of({**SHOPS, "rules": {"min_days_off_per_month": 11, "max_days_off_per_month": 10}})
    the_problem([p], "cfg.yaml: rules: ", "min_days_off_per_month <= max_days_off_per_month")


def test_rotation_choices():
    (p,) = problems_of({**SHOPS, "rules": {"rotation": "weekly"}})
    the_problem([p], "cfg.yaml: rules.rotation: ", "'half-month'", "'balanced'", "'none'")


def test_staffing_quantile_must_be_listed():
    (p,) = problems_of({**SHOPS, "forecast": {"quantiles": [0.5, 0.9], "staffing_quantile": 0.8}})
    the_problem([p], "cfg.yaml: forecast: ", "staffing_quantile 0.8", "[0.5, 0.9]")


def test_bad_shop_id():
    (p,) = problems_of({"shops": [{"id": "big shop"}]})
    the_problem([p], "cfg.yaml: shops.0.id: ")


def test_config_is_frozen():
    c = parse_config(SHOPS)
    with pytest.raises(ValidationError, match="frozen"):
        c.rules.max_shops_per_agent = 3  # type: ignore[misc]
    assert c.rules.max_shops_per_agent == 2


def test_source_defaults_to_config():
    with pytest.raises(InputError) as info:
        parse_config({"shops": []})
    assert info.value.problems[0].startswith("config: shops: ")
