"""Read and write the CSV contracts.

Every reader checks its file completely and raises one :class:`InputError` listing every
problem with file, row, column and what was expected. Row numbers count the header as row 1,
as a spreadsheet shows them. Files may be UTF-8 (with or without BOM) or GB18030/GBK, as
Chinese back-office exports often are.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import pandas as pd

from .domain import REQUEST_KINDS, TIER_ALIASES, TIERS, Agent, Request
from .errors import InputError, OutputExistsError

HISTORY_COLUMNS = ["date", "shop", "inquiries"]
TEAM_COLUMNS = ["agent_id", "name", "tier", "shops", "hire_date"]
REQUEST_COLUMNS = ["agent_id", "start", "end", "kind", "shift", "weight"]
DEMAND_COLUMNS = ["date", "shop", "shift", "volume"]
ROSTER_COLUMNS = ["date", "agent_id", "shift", "shop", "load"]
COVERAGE_COLUMNS = ["date", "shop", "shift", "volume", "agents", "assigned", "uncovered"]

HEADER_ALIASES = {
    "日期": "date", "店铺": "shop", "询单量": "inquiries", "咨询量": "inquiries", "小时": "hour",
    "时段": "hour", "工号": "agent_id", "姓名": "name", "等级": "tier", "班次": "shift",
}
MAX_LISTED = 25
_DATE_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")


class _Problems:
    """Collects problems of one file; `raise_if_any` raises them together."""

    def __init__(self, path: Path):
        self.path = path
        self.items: list[str] = []

    def add(self, row: int | None, column: str | None, msg: str) -> None:
        where = str(self.path)
        if row is not None:
            where += f": row {row}"
        if column is not None:
            where += f", column '{column}'" if row is not None else f": column '{column}'"
        self.items.append(f"{where}: {msg}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:MAX_LISTED]
            if len(self.items) > MAX_LISTED:
                shown.append(f"{self.path}: ... and {len(self.items) - MAX_LISTED} more problems")
            raise InputError(shown)


def _read_raw(path: str | Path, required: list[str], optional: list[str]) -> tuple[pd.DataFrame, _Problems]:
    path = Path(path)
    probs = _Problems(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    frame = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, skipinitialspace=True)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise InputError(f"{path}: file is empty; expected a header row with columns {required}") from None
        except pd.errors.ParserError as err:
            raise InputError(f"{path}: not a valid CSV file ({err})") from None
    if frame is None:
        raise InputError(f"{path}: cannot decode the file; expected UTF-8 or GB18030 text")
    frame.columns = [HEADER_ALIASES.get(c.strip(), c.strip().lower()) for c in frame.columns]
    dup = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dup:
        raise InputError(f"{path}: column(s) {dup} appear more than once in the header")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; expected columns {required + optional} "
                         f"(found {list(frame.columns)})")
    for c in optional:
        if c not in frame.columns:
            frame[c] = ""
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame.index = range(2, len(frame) + 2)  # spreadsheet row numbers
    return frame, probs


def _dates(frame: pd.DataFrame, col: str, probs: _Problems, required: bool = True) -> pd.Series:
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for row, text in frame[col].items():
        if text == "":
            if required:
                probs.add(row, col, "empty; expected a date YYYY-MM-DD")
            continue
        ts = pd.to_datetime(text.replace("/", "-"), format="%Y-%m-%d", errors="coerce") if _DATE_RE.match(text) else pd.NaT
        if pd.isna(ts):
            probs.add(row, col, f"expected a date YYYY-MM-DD, got {text!r}")
        else:
            out[row] = ts
    return out


def _numbers(frame: pd.DataFrame, col: str, probs: _Problems, *, integer: bool = False,
             lo: float | None = 0, hi: float | None = None, default: float | None = None) -> pd.Series:
    filled = frame[col] if default is None else frame[col].where(frame[col] != "", str(default))
    values = pd.to_numeric(filled, errors="coerce")
    kind = "a whole number" if integer else "a number"
    bounds = "" if lo is None else f" >= {lo:g}"
    bounds += "" if hi is None else f" and <= {hi:g}"
    for row, text in frame[col].items():
        v = values[row]
        if pd.isna(v):
            probs.add(row, col, f"expected {kind}{bounds}, got {text!r}" if text else f"empty; expected {kind}{bounds}")
            continue
        elif (integer and v != int(v)) or (lo is not None and v < lo) or (hi is not None and v > hi):
            probs.add(row, col, f"expected {kind}{bounds}, got {text!r}")
    return values


def _known(frame: pd.DataFrame, col: str, allowed: list[str], what: str, probs: _Problems, source: str = "") -> None:
    where = f" (not in {source})" if source else ""
    for row, text in frame[col].items():
        if text not in allowed:
            probs.add(row, col, f"unknown {what} {text!r}{where}; expected one of {allowed}")


def _duplicates(frame: pd.DataFrame, key: list[str], probs: _Problems) -> None:
    dup = frame[frame.duplicated(key, keep="first") & frame[key].ne("").all(axis=1)]
    first = frame.reset_index().drop_duplicates(key).set_index(key)["index"]
    for row, rec in dup.iterrows():
        k = tuple(rec[c] for c in key)
        probs.add(row, None, f"duplicate row for {dict(zip(key, k))} (first at row {first.loc[k]})")


# ---------------------------------------------------------------- inputs


def read_history(path: str | Path, shops: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """History CSV -> (daily frame ``date, shop, inquiries``, hourly frame or None).

    With an ``hour`` column (0-23) rows are intraday and are summed to days; the hourly frame is
    returned as well for learning shift shares.
    """
    frame, probs = _read_raw(path, HISTORY_COLUMNS, ["hour"])
    hourly = frame["hour"].ne("").any()
    frame["date"] = _dates(frame, "date", probs)
    frame["inquiries"] = _numbers(frame, "inquiries", probs)
    key = ["date", "shop"]
    if hourly:
        frame["hour"] = _numbers(frame, "hour", probs, integer=True, lo=0, hi=23)
        key.append("hour")
    if shops is not None:
        _known(frame, "shop", shops, "shop", probs, "the config's shops")
    for row, text in frame["shop"].items():
        if text == "":
            probs.add(row, "shop", "empty; expected a shop id")
    probs.raise_if_any()
    _duplicates(frame.astype({"date": str, "hour": str} if hourly else {"date": str}), key, probs)
    probs.raise_if_any()
    if shops is not None:
        absent = [s for s in shops if s not in set(frame["shop"])]
        if absent:
            probs.add(None, "shop", f"no history for shop(s) {absent} named in the config")
            probs.raise_if_any()
    frame = frame.reset_index(drop=True)
    hourly_frame = None
    if hourly:
        hourly_frame = frame[["date", "shop", "hour", "inquiries"]].astype({"hour": int})
        frame = hourly_frame.groupby(["date", "shop"], as_index=False)["inquiries"].sum()
    daily = frame[HISTORY_COLUMNS].sort_values(["shop", "date"]).reset_index(drop=True)
    return daily, hourly_frame


def read_team(path: str | Path, shops: list[str]) -> list[Agent]:
    """Team CSV -> agents. Tiers in English or Chinese; `shops` is `;`-separated (empty = any)."""
    frame, probs = _read_raw(path, ["agent_id", "tier"], ["name", "shops", "hire_date", "group"])
    hire = _dates(frame, "hire_date", probs, required=False)
    agents = []
    for row, rec in frame.iterrows():
        if rec["agent_id"] == "":
            probs.add(row, "agent_id", "empty; expected an agent id")
        tier = TIER_ALIASES.get(rec["tier"], rec["tier"].lower())
        if tier not in TIERS:
            probs.add(row, "tier", f"unknown tier {rec['tier']!r}; expected one of {list(TIERS)} "
                                   f"or {list(TIER_ALIASES)}")
        allowed = tuple(s.strip() for s in rec["shops"].replace("；", ";").split(";") if s.strip())
        for s in allowed:
            if s not in shops:
                probs.add(row, "shops", f"unknown shop {s!r}; expected shops from the config {shops}")
        hd = None if pd.isna(hire[row]) else hire[row].date()
        agents.append(Agent(rec["agent_id"], rec["name"] or rec["agent_id"], tier, allowed, hd, rec["group"]))
    _duplicates(frame, ["agent_id"], probs)
    if not agents:
        probs.add(None, None, "no agents; expected at least one row")
    probs.raise_if_any()
    return agents


def read_requests(path: str | Path, agent_ids: list[str], shift_ids: list[str]) -> list[Request]:
    """Requests CSV -> requests. `leave` and `fixed` are hard; `off`, `on`, `avoid` are soft wishes."""
    frame, probs = _read_raw(path, ["agent_id", "start", "kind"], ["end", "shift", "weight"])
    start = _dates(frame, "start", probs)
    end = _dates(frame, "end", probs, required=False)
    weight = _numbers(frame, "weight", probs, integer=True, lo=0, default=1)
    _known(frame, "agent_id", agent_ids, "agent", probs, "the team file")
    _known(frame, "kind", list(REQUEST_KINDS), "request kind", probs)
    out = []
    for row, rec in frame.iterrows():
        if rec["shift"] and rec["shift"] not in shift_ids:
            probs.add(row, "shift", f"unknown shift {rec['shift']!r}; expected one of {shift_ids} or empty")
        if rec["kind"] == "avoid" and not rec["shift"]:
            probs.add(row, "shift", "empty; an 'avoid' request names the shift to avoid")
        s = start[row]
        e = s if pd.isna(end[row]) else end[row]
        if pd.notna(s) and e < s:
            probs.add(row, "end", f"end {rec['end']} is before start {rec['start']}")
        if not probs.items:
            out.append(Request(rec["agent_id"], s.date(), e.date(), rec["kind"], rec["shift"] or None,
                               int(weight[row]), row))
    probs.raise_if_any()
    return out


def read_demand(path: str | Path, shops: list[str], shift_ids: list[str]) -> pd.DataFrame:
    """Demand CSV -> frame ``date (datetime.date), shop, shift, volume (int)``; extra columns kept."""
    frame, probs = _read_raw(path, DEMAND_COLUMNS, [])
    dates = _dates(frame, "date", probs)
    volume = _numbers(frame, "volume", probs)
    _known(frame, "shop", shops, "shop", probs, "the config's shops")
    _known(frame, "shift", shift_ids, "shift", probs, "the config's shifts")
    _duplicates(frame.assign(date=dates.astype(str)), ["date", "shop", "shift"], probs)
    probs.raise_if_any()
    frame["date"] = dates.dt.date
    frame["volume"] = volume.round().astype(int)
    return frame.reset_index(drop=True)


def read_roster(path: str | Path, agent_ids: list[str], shops: list[str], shift_ids: list[str]) -> pd.DataFrame:
    """Roster CSV -> frame ``date, agent_id, shift, shop, load``, with the file row in ``row``."""
    frame, probs = _read_raw(path, ROSTER_COLUMNS, [])
    dates = _dates(frame, "date", probs)
    load = _numbers(frame, "load", probs, default=0)
    _known(frame, "agent_id", agent_ids, "agent", probs, "the team file")
    _known(frame, "shift", shift_ids + ["off", "leave"], "shift", probs)
    for row, text in frame["shop"].items():
        if text and text not in shops:
            probs.add(row, "shop", f"unknown shop {text!r}; expected one of {shops} or empty")
    probs.raise_if_any()
    frame["date"] = dates.dt.date
    frame["load"] = load
    frame["row"] = frame.index
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------- outputs


def check_output_dir(out: str | Path, force: bool) -> Path:
    """Refuse a non-empty output folder unless `force`; before any work is done."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputExistsError(f"{out}: output folder is not empty; use --force to replace it")
    return out


@contextmanager
def atomic_output_dir(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside `out`; on success it replaces `out` in one rename.

    If anything fails, the temporary folder is removed and `out` is left as it was.
    """
    out = check_output_dir(out, force).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_csv(frame: pd.DataFrame, path: Path, columns: list[str] | None = None) -> Path:
    """Write a frame as UTF-8 CSV (dates ISO, no index); written whole then renamed into place."""
    data = frame if columns is None else frame[columns]
    tmp = path.with_name(f".{path.name}.tmp")
    data.to_csv(tmp, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    os.replace(tmp, path)
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write a text file (UTF-8) whole, then rename it into place: a reader never sees half of
    it, and a failed write leaves the old file as it was. For results files a run replaces on
    purpose (the bench's JSON); user outputs go through :func:`atomic_output_dir` or
    :func:`write_single_csv`, which refuse to replace without --force."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_single_csv(frame: pd.DataFrame, path: str | Path, force: bool = False) -> Path:
    """Write one CSV file atomically, refusing to replace an existing file unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path}: file exists; use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(frame, path)


def as_date(value: object) -> date:
    return pd.Timestamp(value).date()


def read_forecast(path: str | Path, shops: list[str], column: str) -> pd.DataFrame:
    """Forecast CSV (``date, shop, p50, p80, ...``) -> frame with dates as Timestamps."""
    frame, probs = _read_raw(path, ["date", "shop", column], [])
    frame["date"] = _dates(frame, "date", probs)
    qcols = [c for c in frame.columns if re.fullmatch(r"p\d{1,2}", c)]
    for c in qcols:
        frame[c] = _numbers(frame, c, probs)
    _known(frame, "shop", shops, "shop", probs, "the config's shops")
    _duplicates(frame.astype({"date": str}), ["date", "shop"], probs)
    probs.raise_if_any()
    return frame.reset_index(drop=True)
