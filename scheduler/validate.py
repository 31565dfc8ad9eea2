"""Independent checker of any roster (ours or hand-made): plain pandas, no solver.

Each hard rule of the roster model is re-checked here from the roster table alone, written
without the model's code, so a modelling bug cannot hide itself. `check_roster` returns one row
per violation: ``rule, agent_id, date, shop, shift, detail``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd

from .config import Config
from .domain import LEAVE, OFF, TIERS, Agent, Request, month_days

VIOLATION_COLUMNS = ["rule", "agent_id", "date", "shop", "shift", "detail"]


def check_roster(roster: pd.DataFrame, config: Config, agents: list[Agent] | tuple[Agent, ...],
                 demand: pd.DataFrame, month: date, requests: list[Request] | tuple[Request, ...] = (),
                 previous: pd.DataFrame | None = None, plan: pd.DataFrame | None = None,
                 fix_until: date | None = None, horizon_days: int | None = None) -> pd.DataFrame:
    """All hard-rule violations of `roster` (columns date, agent_id, shift, shop, load).

    `previous` (last month's roster) extends the checks of consecutive workdays, rest, the
    week straddling the month's start and the rotation phase over the month boundary; `plan`
    with `fix_until` checks that the published days were kept in a re-plan. `horizon_days`
    checks that many days from `month` instead of the calendar month.
    """
    days = month_days(month) if horizon_days is None else [month + timedelta(days=i) for i in range(horizon_days)]
    r = roster.copy()
    r["date"] = pd.to_datetime(r["date"]).dt.date
    r["shop"] = r["shop"].fillna("").astype(str)
    r["load"] = pd.to_numeric(r["load"], errors="coerce")
    out: list[dict] = []

    def bad(rule: str, detail: str, agent: str = "", d: object = "", shop: str = "", shift: str = "") -> None:
        out.append({"rule": rule, "agent_id": agent, "date": d, "shop": shop, "shift": shift, "detail": detail})

    shift_ids = set(config.shift_ids)
    outside = r[~r["date"].isin(days)]
    for row in outside.itertuples():
        bad("in_month", f"date outside {month:%Y-%m}", row.agent_id, row.date)
    r = r[r["date"].isin(days)]
    worked = r[r["shift"].isin(shift_ids)]
    resting = r[~r["shift"].isin(shift_ids)]

    # one state per agent and day --------------------------------------------------------------
    states = r.groupby(["agent_id", "date"])["shift"].agg(lambda s: sorted(set(s)))
    for (a, d), st in states.items():
        if len(st) > 1:
            bad("one_state_per_day", f"several states {st}", a, d)
    for agent in agents:
        have = set(r.loc[r["agent_id"] == agent.id, "date"])
        for d in days:
            if d not in have:
                bad("one_state_per_day", "no row (expected a shift, off or leave)", agent.id, d)
    for row in resting[(resting["shop"] != "") | (resting["load"] != 0)].itertuples():
        bad("off_rows_empty", f"{row.shift} row must have an empty shop and load 0", row.agent_id, row.date, row.shop)
    for row in worked[worked["shop"] == ""].itertuples():
        bad("worked_row_has_shop", "a worked shift needs the shop served", row.agent_id, row.date, "", row.shift)
    dup = worked[worked.duplicated(["agent_id", "date", "shop"], keep=False)]
    for (a, d, p), _ in dup.groupby(["agent_id", "date", "shop"]):
        bad("one_state_per_day", "shop listed twice on one day", a, d, p)
    for row in r[(r["load"].isna()) | (r["load"] < 0) | (r["load"] != r["load"].round())].itertuples():
        bad("load_whole", f"load {row.load} is not a whole number >= 0", row.agent_id, row.date, row.shop, row.shift)

    # leave ----------------------------------------------------------------------------------
    leave = {(q.agent_id, d) for q in requests if q.kind == "leave" for d in q.days() if d in days}
    state = {(a, d): st[0] for (a, d), st in states.items()}
    for a, d in sorted(leave):
        if state.get((a, d), OFF) not in (OFF, LEAVE):
            bad("leave_honoured", "works on approved leave", a, d, shift=state[a, d])
    for (a, d), st in state.items():
        if st == LEAVE and (a, d) not in leave:
            bad("leave_honoured", "marked leave without an approved leave request", a, d)

    for q in requests:
        if q.kind != "fixed":
            continue
        for d in q.days():
            st = state.get((q.agent_id, d))
            if d in days and (st not in shift_ids if q.shift is None else st != q.shift):
                bad("fixed_assignment", f"requests row {q.row} fixes {q.shift or 'a shift'}, roster has {st}",
                    q.agent_id, d)
    if plan is not None and fix_until is not None:
        published = plan.drop_duplicates(["agent_id", "date"])
        for row in published[pd.to_datetime(published["date"]).dt.date <= fix_until].itertuples():
            if row.date in days and state.get((row.agent_id, row.date)) != row.shift:
                bad("published_plan", f"published {row.shift}, re-plan has {state.get((row.agent_id, row.date))}",
                    row.agent_id, row.date)

    # shops ----------------------------------------------------------------------------------
    by_agent = {a.id: a for a in agents}
    for a, g in worked.groupby("agent_id"):
        agent = by_agent.get(a)
        shops = sorted(set(g["shop"]) - {""})
        if agent is not None and agent.shops:
            for p in shops:
                if p not in agent.shops:
                    bad("allowed_shops", f"shop not allowed by the team file (allowed {list(agent.shops)})", a, shop=p)
        limit = config.rules.max_shops_per_agent
        if agent is not None and agent.id in config.rules.allow_third_shop_for:
            limit = 3
        if len(shops) > min(limit, 3):
            bad("max_shops_per_agent", f"serves {len(shops)} shops {shops}, limit {min(limit, 3)}", a)

    # load cap and training ------------------------------------------------------------------
    longest = max(s.paid_hours for s in config.shifts)
    for (a, d, s), load in worked.groupby(["agent_id", "date", "shift"])["load"].sum().items():
        paid = config.shift(s).paid_hours
        cap = math.floor(config.band.max * paid / longest) if config.band.scale_by_paid_hours else config.band.max
        if load > cap:
            bad("load_cap", f"load {load:g} above band max {cap}", a, d, shift=s)
        agent = by_agent.get(a)
        if agent and agent.hire_date and d < agent.hire_date + timedelta(days=config.rules.training_days) and load > 0:
            bad("training", f"carries load {load:g} while in training (hired {agent.hire_date})", a, d, shift=s)

    # coverage: never more handled than asked --------------------------------------------------
    vol = {(row.date, row.shop, row.shift): row.volume for row in demand.itertuples()}
    for (d, p, s), got in worked.groupby(["date", "shop", "shift"])["load"].sum().items():
        if got > vol.get((d, p, s), 0):
            bad("coverage", f"assigned {got:g} above volume {vol.get((d, p, s), 0)}", d=d, shop=p, shift=s)

    k = config.rules.min_senior_per_shift
    if k:
        seniors = {a.id for a in agents if TIERS.index(a.tier) >= TIERS.index("senior")}
        loaded = worked[(worked["load"] > 0) & worked["agent_id"].isin(seniors)]
        count = loaded.groupby(["date", "shop", "shift"])["agent_id"].nunique()
        for (d, p, s), v in vol.items():
            if v > 0 and d in days and count.get((d, p, s), 0) < min(k, v):
                bad("tier_cover", f"{count.get((d, p, s), 0)} agents of tier senior or above, need {min(k, v)}",
                    d=d, shop=p, shift=s)

    # previous month: its rows take part in the sequence checks below ---------------------------
    prev_states: dict[tuple[str, date], str] = {}
    if previous is not None:
        pv = previous.copy()
        pv["date"] = pd.to_datetime(pv["date"]).dt.date
        pv = pv[pv["date"] < days[0]]
        prev_states = {(r.agent_id, r.date): r.shift for r in pv.drop_duplicates(["agent_id", "date"]).itertuples()}
        worked = pd.concat([pv[pv["shift"].isin(shift_ids)], worked], ignore_index=True)

    # rest between consecutive shifts ----------------------------------------------------------
    need = timedelta(hours=config.rules.min_rest_hours)
    times = {s.id: (s.start, s.end) for s in config.shifts}
    for a, g in worked.drop_duplicates(["agent_id", "date"]).groupby("agent_id"):
        g = g.sort_values("date")
        spans = []
        for row in g.itertuples():
            start = datetime.combine(row.date, datetime.strptime(times[row.shift][0], "%H:%M").time())
            end = datetime.combine(row.date, datetime.strptime(times[row.shift][1], "%H:%M").time())
            if end <= start:
                end += timedelta(days=1)
            spans.append((row.date, row.shift, start, end))
        for (d1, s1, _, e1), (d2, s2, b2, _) in zip(spans, spans[1:]):
            if b2 - e1 < need and d2 in days:
                bad("min_rest", f"{s1} on {d1} then {s2}: {(b2 - e1).total_seconds() / 3600:g} h rest, "
                                f"need {config.rules.min_rest_hours:g} h", a, d2, shift=s2)

    # workdays, days off, weeks ----------------------------------------------------------------
    rules = config.rules
    night_ids = {s.id for s in config.shifts if s.is_night}
    for agent in agents:
        a = agent.id
        seq = [state.get((a, d), OFF) for d in days]
        before = sorted((d, st) for (aa, d), st in prev_states.items() if aa == a)
        run = 0
        for d, st in before + list(zip(days, seq)):
            run = run + 1 if st in shift_ids else 0
            if run == rules.max_consecutive_workdays + 1 and d in days:
                bad("max_consecutive_workdays", f"more than {rules.max_consecutive_workdays} workdays in a row", a, d)
        known = {**{d: st for d, st in before}, **dict(zip(days, seq))}
        for i in range(-6, len(days) - 6):
            week = [days[0] + timedelta(days=i + j) for j in range(7)]
            if week[0].weekday() == 0 and all(d in known for d in week):
                off = sum(1 for d in week if known[d] not in shift_ids)
                if off < rules.min_days_off_per_week:
                    bad("min_days_off_per_week", f"{off} days off in the week from {week[0]}, "
                                                 f"need {rules.min_days_off_per_week}", a, week[0])
        n_leave = sum(1 for st in seq if st == LEAVE)
        n_off = sum(1 for st in seq if st == OFF)
        avail = len(days) - n_leave
        lo = math.floor(rules.min_days_off_per_month * avail / len(days))
        hi = min(avail, math.ceil(rules.max_days_off_per_month * avail / len(days)))
        no_limit = rules.min_days_off_per_month == 0 and rules.max_days_off_per_month >= 31
        if not no_limit and not lo <= n_off <= hi:
            bad("days_off_per_month", f"{n_off} days off; expected {lo}-{hi} ({n_leave} days of leave)", a)
        if rules.rotation != "none" and night_ids and len(night_ids) < len(shift_ids):
            kinds = [st in night_ids for st in seq if st in shift_ids]
            nights, work = sum(kinds), len(kinds)
            n_leave_days = sum(1 for st in seq if st == LEAVE)
            if abs(2 * nights - work) > 2 + n_leave_days:
                bad("rotation", f"{nights} nights of {work} workdays; expected within 1 of half"
                                + (f" (+{n_leave_days / 2:g} for {n_leave_days} days of leave)" if n_leave_days else ""), a)
            switches = sum(1 for x, y in zip(kinds, kinds[1:]) if x != y)
            if rules.rotation == "half-month" and switches > 1:
                bad("rotation", f"{switches} switches between day and night blocks; half-month allows 1", a)
            last_kinds = [st in night_ids for _, st in before if st in shift_ids]
            if rules.rotation == "half-month" and kinds and last_kinds and kinds[0] == last_kinds[0]:
                phase = "nights" if kinds[0] else "days"
                bad("rotation", f"starts on {phase} again; half-month alternates the phase month to month", a)
    _check_contracts(config, agents, days, state, prev_states, shift_ids, bad)
    return pd.DataFrame(out, columns=VIOLATION_COLUMNS)


def _check_contracts(config: Config, agents, days: list[date], state: dict, prev_states: dict,
                     shift_ids: set[str], bad) -> None:
    """Forbidden successions (shifts' not_followed_by) and the per-agent limits of `contracts`."""
    follow = {s.id: set(s.not_followed_by) for s in config.shifts}
    minutes = {s.id: round(s.paid_hours * 60) for s in config.shifts}
    for agent in agents:
        a = agent.id
        seq = [state.get((a, d), OFF) for d in days]
        last = prev_states.get((a, days[0] - timedelta(days=1)))
        for d, s1, s2 in zip(days, [last] + seq[:-1], seq):
            if s1 in follow and s2 in follow[s1]:
                bad("forbidden_succession", f"{s1} the day before, then {s2}", a, d, shift=s2)
        c = next((c for c in config.contracts if c.id == agent.group), None)
        if c is None:
            continue
        for s, limit in c.max_shifts.items():
            n = seq.count(s)
            if n > limit:
                bad("max_shifts_per_type", f"{n} shifts {s}, contract {c.id} allows {limit}", a, shift=s)
        total = sum(minutes[s] for s in seq if s in shift_ids)
        if c.min_minutes is not None and total < c.min_minutes:
            bad("total_minutes", f"{total} minutes worked, contract {c.id} needs at least {c.min_minutes}", a)
        if c.max_minutes is not None and total > c.max_minutes:
            bad("total_minutes", f"{total} minutes worked, contract {c.id} allows at most {c.max_minutes}", a)
        # runs of worked / not-worked days: (worked?, first index, length)
        runs, i = [], 0
        while i < len(seq):
            j = i
            while j < len(seq) and (seq[j] in shift_ids) == (seq[i] in shift_ids):
                j += 1
            runs.append((seq[i] in shift_ids, i, j - i))
            i = j
        before = 0  # worked days just before the horizon (from --previous)
        d = days[0] - timedelta(days=1)
        while prev_states.get((a, d)) in shift_ids:
            before, d = before + 1, d - timedelta(days=1)
        for worked, i, n in runs:
            inner = i > 0 and i + n < len(seq)
            if worked and c.max_consecutive_workdays is not None:
                length = n + (before if i == 0 else 0)
                if length > c.max_consecutive_workdays:
                    bad("contract_max_consecutive_workdays",
                        f"{length} workdays in a row, contract {c.id} allows {c.max_consecutive_workdays}", a, days[i])
            if worked and inner and c.min_consecutive_workdays and n < c.min_consecutive_workdays:
                bad("min_consecutive_workdays",
                    f"{n} workdays in a row between days off, contract {c.id} needs {c.min_consecutive_workdays}",
                    a, days[i])
            if not worked and inner and c.min_consecutive_days_off and n < c.min_consecutive_days_off:
                bad("min_consecutive_days_off",
                    f"{n} days off in a row between workdays, contract {c.id} needs {c.min_consecutive_days_off}",
                    a, days[i])
        if c.max_working_weekends is not None:
            weekends = {d.isocalendar()[:2] for d, s in zip(days, seq) if d.weekday() >= 5 and s in shift_ids}
            if len(weekends) > c.max_working_weekends:
                bad("max_working_weekends",
                    f"{len(weekends)} weekends worked, contract {c.id} allows {c.max_working_weekends}", a)
