"""Generate the bundled demo data in ``scheduler/demo_data/``.

Models a Chinese e-commerce customer-service team serving four shops of very
different sizes (flagship, outlet, kids, global):

* ``history.csv``  - daily inquiries per shop, 2024-06-01 .. 2026-07-31:
  level x yearly growth x weekday pattern x shopping-festival events
  (618, 11.11 with pre-sale ramp and after-sales wave, 12.12, 年货节,
  Spring Festival dip and post-holiday surge) x lognormal noise.
* ``team.csv``     - 40 agents with tiers, allowed shops and hire dates
  (two new hires still in training at the start of August 2026).
* ``requests.csv`` - a handful of leave / off / on / avoid requests for
  August 2026.

Output is fully deterministic (seeded RNG, integers only, UTF-8, LF).
Re-run from the repository root with::

    python scripts/make_demo_data.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260801
OUT = Path(__file__).resolve().parent.parent / "scheduler" / "demo_data"
START, END = pd.Timestamp("2024-06-01"), pd.Timestamp("2026-07-31")
REF_DATE = pd.Timestamp("2026-07-01")  # date at which LEVELS hold
NOISE_SIGMA = 0.07

# shop -> (ordinary-day inquiries at REF_DATE, yearly growth)
SHOPS = {"flagship": (1500, 0.14), "outlet": (750, 0.12),
         "kids": (400, 0.17), "global": (180, 0.20)}
# Mon..Sun; weekends higher, Tue/Wed lowest; normalised to mean 1 below
WEEKDAY = np.array([1.00, 0.93, 0.93, 0.97, 1.00, 1.12, 1.15])
WEEKDAY = WEEKDAY / WEEKDAY.mean()
SPRING_FESTIVAL = {2025: "2025-01-29", 2026: "2026-02-17"}


def event_factors(dates: pd.DatetimeIndex) -> pd.Series:
    """Multiplicative festival effect per date (1.0 on ordinary days)."""
    f = pd.Series(1.0, index=dates)

    def boost(start: str, values) -> None:  # overlapping boosts: keep the max
        idx = pd.date_range(start, periods=len(values)).intersection(dates)
        vals = pd.Series(values, index=pd.date_range(start, periods=len(values)))
        f[idx] = np.maximum(f[idx], vals[idx])

    for y in range(dates[0].year, dates[-1].year + 1):
        boost(f"{y}-01-10", [1.3] * 7)                                 # 年货节
        boost(f"{y}-06-01", np.linspace(1.05, 1.5, 16))                # 618 ramp
        boost(f"{y}-06-17", [2.2, 2.5, 2.1, 1.5])                      # 618 peak
        boost(f"{y}-10-20", np.linspace(1.05, 2.0, 21))                # 11.11 pre-sale
        boost(f"{y}-11-10", [3.2, 4.0, 3.0])                           # 11.11 peak
        boost(f"{y}-11-12", np.geomspace(1.8, 1.1, 9))                 # returns wave
        boost(f"{y}-12-10", [1.4, 1.7, 2.0, 1.5])                      # 12.12
    for cny in map(pd.Timestamp, SPRING_FESTIVAL.values()):
        dip = pd.date_range(cny - pd.Timedelta(days=5), cny + pd.Timedelta(days=7))
        f[dip.intersection(dates)] = 0.35                              # holiday dip
        boost(str((cny + pd.Timedelta(days=8)).date()), [1.3] * 7)     # after-sales
    return f


def make_history(rng: np.random.Generator) -> pd.DataFrame:
    dates = pd.date_range(START, END)
    years = ((dates - REF_DATE).days / 365.25).to_numpy()
    base = WEEKDAY[dates.day_of_week] * event_factors(dates).to_numpy()
    frames = []
    for shop, (level, growth) in SHOPS.items():
        mean = level * (1 + growth) ** years * base
        noisy = mean * rng.lognormal(0.0, NOISE_SIGMA, len(dates))
        frames.append(pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "shop": shop,
                                    "inquiries": np.maximum(np.rint(noisy), 0).astype(int)}))
    return pd.concat(frames).sort_values(["date", "shop"], ignore_index=True)


SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = ["芳", "娜", "伟", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
         "超", "霞", "平", "刚", "丽", "婷婷", "晓燕", "子涵", "雨欣", "浩然", "佳怡",
         "思远", "欣怡", "俊杰", "梦琪", "志强", "文博", "秀英", "建华", "海燕", "宇航"]
TIERS = ["gold"] * 2 + ["expert"] * 3 + ["elite"] * 5 + ["senior"] * 12 + ["junior"] * 18
SHOP_SETS = ([""] * 24 + ["flagship"] * 6 + ["flagship;outlet"] * 4
             + ["kids;global"] * 3 + ["outlet;kids"] * 3)


def make_team(rng: np.random.Generator) -> list[list[str]]:
    names: list[str] = []
    while len(names) < 40:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in names:
            names.append(name)
    # A39/A40 are the July-2026 trainees and must be junior
    tiers = list(rng.permutation(TIERS[:-2])) + ["junior", "junior"]
    shops = list(rng.permutation(SHOP_SETS))
    pool = pd.date_range("2022-01-01", "2025-12-31").strftime("%Y-%m-%d")
    hired = list(pool[rng.integers(0, len(pool), 38)])
    for i in rng.choice(38, size=3, replace=False):
        hired[i] = ""                                                   # unknown
    hired += ["2026-07-25", "2026-07-28"]
    return [[f"A{i + 1:02d}", names[i], tiers[i], shops[i], hired[i]] for i in range(40)]


REQUESTS = [  # agent_id, start, end, kind, shift, weight
    ["A05", "2026-08-10", "2026-08-14", "leave", "", ""],
    ["A17", "2026-08-20", "2026-08-21", "leave", "", ""],
    ["A33", "2026-08-03", "2026-08-03", "leave", "", ""],
    ["A08", "2026-08-07", "2026-08-07", "off", "", "2"],
    ["A12", "2026-08-15", "2026-08-16", "off", "", "1"],
    ["A26", "2026-08-22", "2026-08-22", "off", "", "1"],
    ["A21", "2026-08-29", "2026-08-29", "on", "", "1"],
    ["A14", "2026-08-01", "2026-08-31", "avoid", "night", "2"],
]


def write_csv(name: str, header: list[str], rows) -> Path:
    path = OUT / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def main() -> None:
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    hist = make_history(rng)
    write_csv("history.csv", list(hist.columns), hist.itertuples(index=False))
    write_csv("team.csv", ["agent_id", "name", "tier", "shops", "hire_date"], make_team(rng))
    write_csv("requests.csv", ["agent_id", "start", "end", "kind", "shift", "weight"], REQUESTS)

    by_shop = hist.pivot(index="date", columns="shop", values="inquiries")[list(SHOPS)]
    summary = pd.DataFrame({
        "2026-07 mean": by_shop.loc["2026-07-01":"2026-07-31"].mean().round(),
        "2025-11-11": by_shop.loc["2025-11-11"],
        "2026-02-17": by_shop.loc["2026-02-17"],
    }).astype(int)
    summary.loc["TOTAL"] = summary.sum()
    print(summary.to_string())
    aug = pd.date_range("2026-08-01", "2026-08-31")
    aug_years = ((aug - REF_DATE).days / 365.25).to_numpy()
    aug_mean = WEEKDAY[aug.day_of_week] * sum(
        lvl * (1 + g) ** aug_years for lvl, g in SHOPS.values())
    print(f"expected 2026-08 total (noise-free extrapolation): {aug_mean.mean():.0f}/day")
    print(f"wrote {len(hist)} history rows, 40 agents, {len(REQUESTS)} requests to {OUT}")


if __name__ == "__main__":
    main()
