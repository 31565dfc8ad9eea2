"""Which agents start the month on nights under half-month rotation.

Its own module because both the variables (each agent's phase is fixed before the rules are
added) and the rules use it.
"""

from __future__ import annotations


def night_first_phase(problem, sets: dict[str, tuple[str, ...]] | None = None) -> dict[str, bool]:
    """Which agents start the month on nights under half-month rotation.

    With --previous, each agent starts in the other phase than last month (the phase of their
    first worked shift then). Otherwise an agent with a `fixed` request for a shift takes the
    phase that puts that shift in its block, and the others alternate by id, grouped by the
    shops they serve (`sets`, the month's shop sets, else the team file's allowed shops) with
    one count running over all groups: each group, hence each shop, has both phases about
    half and half, and so has both shifts covered every day.
    """
    key = (lambda ag: (sets.get(ag.id, ()), ag.id)) if sets else (lambda ag: (ag.shops, ag.id))
    ordered = sorted(problem.agents, key=key)
    phase = {ag.id: i % 2 == 1 for i, ag in enumerate(ordered)}
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
