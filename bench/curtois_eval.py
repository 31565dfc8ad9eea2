"""Independent reader and evaluator of the Curtois & Qu shift-scheduling benchmark (plain Python).

No solver and nothing from the roster engine: this module reads an instance file and a roster
(employee, day, shift), checks every hard constraint H1-H9 and computes the objective S1+S2+S3
exactly as ``../shared/benchmarks/curtois/FORMAT.md`` defines them. ``bench/curtois.py`` builds the
engine's problem from the same parsed instance, but reports this module's objective.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class Instance:
    name: str
    horizon: int
    lengths: dict[str, int]                      # shift id -> minutes
    forbidden: dict[str, set[str]]               # shift id -> shifts that may not follow next day
    staff: list[Staff]
    days_off: dict[str, set[int]]
    on_requests: list[tuple[str, int, str, int]]   # employee, day, shift, weight
    off_requests: list[tuple[str, int, str, int]]
    cover: list[tuple[int, str, int, int, int]]    # day, shift, requirement, weight under, weight over
    meta: dict = field(default_factory=dict)


def read_instance(path: str | Path) -> Instance:
    """Parse an InstanceN.txt file (LF or CRLF line endings)."""
    path = Path(path)
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="ascii").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line[len("SECTION_"):]
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"{path}: data before the first SECTION_ header: {line!r}")
        sections[current].append([f.strip() for f in line.split(",")])
    horizon = int(sections["HORIZON"][0][0])
    lengths, forbidden = {}, {}
    for row in sections["SHIFTS"]:
        lengths[row[0]] = int(row[1])
        forbidden[row[0]] = {s for s in (row[2].split("|") if len(row) > 2 else []) if s}
    staff = []
    for row in sections["STAFF"]:
        maxes = dict(item.split("=") for item in row[1].split("|") if item)
        staff.append(Staff(row[0], {s: int(n) for s, n in maxes.items()}, int(row[2]), int(row[3]),
                           int(row[4]), int(row[5]), int(row[6]), int(row[7])))
    days_off = {row[0]: {int(d) for d in row[1:] if d} for row in sections.get("DAYS_OFF", [])}
    req = lambda rows: [(r[0], int(r[1]), r[2], int(r[3])) for r in rows]  # noqa: E731
    cover = [(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4])) for r in sections["COVER"]]
    return Instance(path.stem, horizon, lengths, forbidden, staff, days_off,
                    req(sections.get("SHIFT_ON_REQUESTS", [])), req(sections.get("SHIFT_OFF_REQUESTS", [])), cover)


def read_roster(path: str | Path) -> list[tuple[str, int, str]]:
    """A roster file `employee,day,shift`, one row per worked day."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["employee"], int(r["day"]), r["shift"]) for r in csv.DictReader(fh)]


def write_roster(path: str | Path, rows: list[tuple[str, int, str]]) -> None:
    """The roster as employee,day,shift, one row per worked day: written whole, then renamed."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    with open(part, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["employee", "day", "shift"])
        w.writerows(sorted(rows, key=lambda r: (r[1], r[0])))
    os.replace(part, path)


@dataclass
class Evaluation:
    objective: int
    on_requests: int
    off_requests: int
    cover_under: int
    cover_over: int
    violations: list[str]

    @property
    def feasible(self) -> bool:
        return not self.violations


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """Maximal runs (start, length) of `value` in `worked`."""
    out, start = [], None
    for i, w in enumerate(worked + [not value]):
        if w == value and start is None:
            start = i
        elif w != value and start is not None:
            out.append((start, i - start))
            start = None
    return out


def evaluate(inst: Instance, roster: list[tuple[str, int, str]]) -> Evaluation:
    """Hard-constraint violations (H1-H9, plus unknown ids) and the objective S1+S2+S3."""
    bad: list[str] = []
    ids = {s.id for s in inst.staff}
    grid: dict[tuple[str, int], str] = {}
    for e, d, s in roster:
        if e not in ids or s not in inst.lengths or not 0 <= d < inst.horizon:
            bad.append(f"unknown employee/shift/day in row {e},{d},{s}")
            continue
        if (e, d) in grid:
            bad.append(f"H1 {e} day {d}: more than one shift")
        grid[e, d] = s
    H = inst.horizon
    for st in inst.staff:
        e = st.id
        row = [grid.get((e, d)) for d in range(H)]
        worked = [s is not None for s in row]
        for d in range(H - 1):
            if row[d] is not None and row[d + 1] is not None and row[d + 1] in inst.forbidden[row[d]]:
                bad.append(f"H2 {e} day {d}: {row[d]} then {row[d + 1]}")
        for s, limit in st.max_shifts.items():
            n = sum(1 for x in row if x == s)
            if n > limit:
                bad.append(f"H3 {e}: {n} shifts {s}, max {limit}")
        minutes = sum(inst.lengths[x] for x in row if x is not None)
        if not st.min_minutes <= minutes <= st.max_minutes:
            bad.append(f"H4 {e}: {minutes} minutes, allowed {st.min_minutes}-{st.max_minutes}")
        for start, n in _runs(worked, True):
            if n > st.max_consecutive:
                bad.append(f"H5 {e} day {start}: {n} shifts in a row, max {st.max_consecutive}")
            if start > 0 and start + n < H and n < st.min_consecutive:
                bad.append(f"H6 {e} day {start}: {n} shifts in a row, min {st.min_consecutive}")
        for start, n in _runs(worked, False):
            if start > 0 and start + n < H and n < st.min_days_off:
                bad.append(f"H7 {e} day {start}: {n} days off in a row, min {st.min_days_off}")
        weekends = sum(1 for w in range(H // 7) if worked[7 * w + 5] or worked[7 * w + 6])
        if weekends > st.max_weekends:
            bad.append(f"H8 {e}: {weekends} weekends worked, max {st.max_weekends}")
        for d in sorted(inst.days_off.get(e, ())):
            if worked[d]:
                bad.append(f"H9 {e} day {d}: works a fixed day off")
    s1 = sum(w for e, d, s, w in inst.on_requests if grid.get((e, d)) != s)
    s2 = sum(w for e, d, s, w in inst.off_requests if grid.get((e, d)) == s)
    count: dict[tuple[int, str], int] = {}
    for (e, d), s in grid.items():
        count[d, s] = count.get((d, s), 0) + 1
    under = over = 0
    for d, s, req, wu, wo in inst.cover:
        n = count.get((d, s), 0)
        under += wu * max(0, req - n)
        over += wo * max(0, n - req)
    return Evaluation(s1 + s2 + under + over, s1, s2, under, over, bad)


def weekend_bound(inst: Instance) -> int:
    """A lower bound on the objective from weekends alone (plain arithmetic, no solver).

    An employee works at most one shift a day and at most `max_weekends` weekends (H8), none
    on a fixed day off (H9), and no more shifts in all than the sum of their per-type maxima
    (H3). The weekend cover asks for R heads; two counts bound the heads that can be there:
    * heads: two a weekend worked, over each employee's weekends with a day not fixed off,
      and no more than their per-type maxima (the sum over employees, C);
    * employee-weekends: an employee on a weekend covers its Saturday and its Sunday only in
      a pair of shifts with no forbidden succession (H2) between them, so a weekend whose
      cover asks for S heads on Saturday and U on Sunday takes at least S + U - P employees
      to be covered, where P is the most Saturday heads that can be paired with Sunday heads
      (:func:`_pairs`). With E employee-weekends (each employee's weekend limit, weekends with
      a day not fixed off and total per-type maximum, the least of those), each one covers two
      heads only as one of a weekend's P pairs and one head otherwise, so at most
      min(E, sum P) * 2 + min(E - that, sum (S + U - 2P)) heads.
    At least R less the smaller of the two counts are short, each at the lowest under-cover
    weight of a weekend slot. The second count is what the forbidden successions cost: on
    Curtois 22 and 23 the weekend cover asks for 2,721 and 4,617 heads, the first count allows
    2,640 and 4,850, the second 2,472 and 4,476."""
    weeks = inst.horizon // 7
    capacity = 0  # heads
    turns = 0     # employee-weekends
    for st in inst.staff:
        off = inst.days_off.get(st.id, set())
        free = sorted((sum(1 for d in (7 * w + 5, 7 * w + 6) if d not in off) for w in range(weeks)), reverse=True)
        capacity += min(sum(free[:max(0, st.max_weekends)]), sum(st.max_shifts.values()))
        turns += min(max(0, st.max_weekends), sum(1 for f in free if f), sum(st.max_shifts.values()))
    weekend = [(req, wu) for d, s, req, wu, wo in inst.cover if d % 7 >= 5 and d < 7 * weeks]
    if not weekend:
        return 0
    heads = sum(req for req, _ in weekend)
    need: dict[int, dict[str, int]] = {}  # weekend day -> shift -> heads asked
    for d, s, req, _, _ in inst.cover:
        if d % 7 >= 5 and d < 7 * weeks and req > 0:
            day = need.setdefault(d, {})
            day[s] = day.get(s, 0) + req
    pairs = [_pairs(need.get(7 * w + 5, {}), need.get(7 * w + 6, {}), inst.forbidden) for w in range(weeks)]
    both = min(turns, sum(pairs))
    single = heads - 2 * sum(pairs)  # heads of each weekend beyond its pairs
    paired = 2 * both + min(turns - both, single)
    short = heads - min(capacity, paired)
    return max(0, short) * min(wu for _, wu in weekend)


def type_bound(inst: Instance) -> int:
    """A lower bound on the objective from the shift types and minutes alone (plain arithmetic,
    no solver), the larger of two counts of heads short:
    * per shift type t: an employee works at most one shift a day, none on a fixed day off
      (H9), at most its maximum of t (H3) and no more shifts of t than its maximum minutes
      hold (H4). The cover asks for R_t heads of t over the horizon, so at least R_t less the
      sum of those are short, each at the lowest under-cover weight of a slot of t; heads of
      different types are different heads, so the shortfalls add up over the types;
    * minutes: the cover's heads ask for M minutes and the employees work at most the sum S
      of their maximum minutes (H4), so the heads short come to at least M - S minutes, at
      least (M - S) / the longest shift heads, each at the lowest under-cover weight.
    On Curtois 8 and 14 the cover asks for 86 and 128 night shifts, which the employees'
    maxima allow 74 and 116 of: 12 heads short (1,200) whatever the roster, above the weekend
    bound (700 and 900); on 15, 20 and 16 of two night types (3,600; best known 3,831). On 13
    the cover's minutes are 2,160 more than the employees' maximum minutes (300)."""
    if not inst.cover:
        return 0
    cap: dict[str, int] = {}
    for st in inst.staff:
        days = inst.horizon - len({d for d in inst.days_off.get(st.id, set()) if 0 <= d < inst.horizon})
        for t, length in inst.lengths.items():
            cap[t] = cap.get(t, 0) + min(st.max_shifts.get(t, inst.horizon), days, st.max_minutes // length)
    asked: dict[str, int] = {}
    weight: dict[str, int] = {}
    for _, t, req, wu, _ in inst.cover:
        asked[t] = asked.get(t, 0) + req
        weight[t] = min(weight.get(t, wu), wu)
    by_type = sum(max(0, n - cap.get(t, 0)) * weight[t] for t, n in asked.items())
    minutes = sum(req * inst.lengths[t] for _, t, req, _, _ in inst.cover) - sum(st.max_minutes for st in inst.staff)
    by_minutes = -(-max(0, minutes) // max(inst.lengths.values())) * min(weight.values())
    return max(by_type, by_minutes)


def _pairs(saturday: dict[str, int], sunday: dict[str, int], forbidden: dict[str, set[str]]) -> int:
    """The most (Saturday head, Sunday head) pairs whose shifts no forbidden succession joins,
    each head in one pair at most: a maximum flow from Saturday's shifts to Sunday's, computed
    as its minimum cut. A cut keeps a set X of Saturday shifts on the source's side and cuts
    the heads of the other Saturday shifts and of every Sunday shift some shift of X may
    precede, so the flow is the least of need(Saturday - X) + need(N(X)) over X. Saturday
    shifts that may precede the same Sunday shifts are all in X or all out of it in some
    least cut, so X runs over the sets of such classes (at most 8 on the Curtois instances)."""
    classes: dict[frozenset, int] = {}
    for s, h in saturday.items():
        after = frozenset(t for t in sunday if t not in forbidden.get(s, ()))
        classes[after] = classes.get(after, 0) + h
    groups = list(classes.items())
    best = sum(saturday.values())
    for mask in range(1, 1 << len(groups)):
        inside = [groups[i] for i in range(len(groups)) if mask >> i & 1]
        reached = frozenset().union(*(after for after, _ in inside))
        cut = sum(h for i, (_, h) in enumerate(groups) if not mask >> i & 1) + sum(sunday[t] for t in reached)
        best = min(best, cut)
    return best
