"""Which agents start the month on nights under half-month rotation.

Its own module because both the variables (each agent's phase is fixed before the rules are
added) and the rules use it.
"""

from __future__ import annotations


def night_first_phase(problem, sets: dict[str, tuple[str, ...]] | None = None) -> dict[str, bool]:
    """Which agents start the month on nights under half-month rotation.

    With --previous, each agent starts in the other phase than last month (the phase of their
    first worked shift then). Otherwise an agent with a `fixed` request for a shift takes the
    phase that puts that shift in its block, and the others are balanced shop by shop: in order
    of the shops they serve (`sets`, the month's shop sets, else the team file's allowed shops)
    and id, each takes the phase fewer agents of its shops have so far (alternating on ties),
    then single agents switch while that evens the shops out more, so each shop has both
    phases about half and half, and so has both shifts covered every day.
    """
    key = (lambda ag: (sets.get(ag.id, ()), ag.id)) if sets else (lambda ag: (ag.shops, ag.id))
    ordered = sorted(problem.agents, key=key)
    # lean[p]: night-first minus day-first agents of shop p; imbalance: the sum of lean[p]^2.
    # Each agent in turn takes the phase that adds less imbalance, then single agents change
    # phase while that lowers it (one pass in order can leave a shop all on one phase). A
    # running count over all agents left a small shop's pairs 3 day-first to 7 night-first,
    # so its day shift was short all the first half of the month.
    lean: dict[str, int] = {}
    phase = {}
    shops_of = {ag.id: (sets.get(ag.id) if sets else None) or ag.shops or ("",) for ag in ordered}

    def change(a: str, sign: int) -> int:  # imbalance added by counting agent a with `sign`
        return sum((lean.get(p, 0) + sign) ** 2 - lean.get(p, 0) ** 2 for p in shops_of[a])

    for i, ag in enumerate(ordered):
        night, day = change(ag.id, +1), change(ag.id, -1)
        phase[ag.id] = night < day or (night == day and i % 2 == 1)
        for p in shops_of[ag.id]:
            lean[p] = lean.get(p, 0) + (1 if phase[ag.id] else -1)
    for _ in range(len(ordered)):
        flipped = False
        for ag in ordered:
            sign = 1 if phase[ag.id] else -1
            for p in shops_of[ag.id]:
                lean[p] -= sign
            if change(ag.id, -sign) < change(ag.id, sign):
                phase[ag.id], sign, flipped = not phase[ag.id], -sign, True
            for p in shops_of[ag.id]:
                lean[p] += sign
        if not flipped:
            break
    night_ids = {s.id for s in problem.config.shifts if s.is_night}
    mid = problem.days[len(problem.days) // 2]
    for r in sorted(problem.requests, key=lambda r: r.start):
        if r.kind == "fixed" and r.shift is not None and r.agent_id in phase:
            d = max(r.start, problem.days[0])
            if d <= problem.days[-1]:
                phase[r.agent_id] = (r.shift in night_ids) == (d < mid)
    prev = problem.previous_states()
    shift_ids = set(problem.config.shift_ids)
    for a in phase:
        worked = sorted((d, st) for (aa, d), st in prev.items() if aa == a and st in shift_ids)
        if worked:
            phase[a] = worked[0][1] not in night_ids
    return phase
