"""CP-SAT settings from config: every solve of the roster goes through :func:`configure_solver`,
so time limit, workers, seed and deterministic mode always reach ``solver.parameters``."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..config import SolverConfig


def time_budget(cfg: SolverConfig) -> tuple[float, float]:
    """solver.time_limit_s split into (completing the starting roster, the main search):
    a sixth (at least 1 s, at most half) for the first, the rest for the second. The first
    stops as soon as its loads are optimal, which is usually well before.

    In wall-clock mode :func:`solve_roster` then gives the main search what is left of the limit
    after the shop sets, the model and the hint (at least a quarter of its share), so the whole
    solve takes about solver.time_limit_s; in deterministic mode the split is fixed."""
    hint = min(cfg.time_limit_s / 2, max(1.0, cfg.time_limit_s / 6))
    return hint, cfg.time_limit_s - hint


def configure_solver(solver: cp_model.CpSolver, cfg: SolverConfig, seconds: float | None = None) -> None:
    """All CP-SAT settings go through `solver.parameters` (plain attributes are ignored).

    `seconds` overrides cfg.time_limit_s (wall-clock seconds, or deterministic time when
    cfg.deterministic)."""
    limit = cfg.time_limit_s if seconds is None else seconds
    if cfg.deterministic:
        solver.parameters.max_deterministic_time = limit
        solver.parameters.interleave_search = cfg.workers > 1
    else:
        solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = cfg.workers
    solver.parameters.random_seed = cfg.seed
    solver.parameters.log_search_progress = cfg.log


LIGHT_PRESOLVE_VARIABLES = 4_000  # models at least this large get light_presolve (see there)


def light_presolve(solver: cp_model.CpSolver, model: cp_model.CpModel) -> bool:
    """On a model of at least LIGHT_PRESOLVE_VARIABLES variables: one presolve pass instead of
    CP-SAT's default three, without its search for large at-most-one / linear overlaps and
    without probing. Returns whether it applied.

    For the agent-group search and first rosters, whose models hold long linear constraints
    over the whole horizon (total minutes, shifts per type): there presolve costs more than the
    search. Measured on Curtois instances (2 workers): one agent-year of 24 (10,875 variables)
    takes 1.5 s of presolve and 0.8 s of search to its first roster; six such agents took
    12.4 s to their first rosters, 5.6 s with this (7.0 s with probing kept). 60 s of the
    search from one roster of 22 (two agents a year: 7,590 variables) took it from 80,652 to
    68,244 and 70,874 (two seeds) against 74,766 and 72,822 without; of 20 (182 days), from
    18,374 to 8,906 and 9,096 against 9,978 and 10,013. On four-week models (12: 2,000
    variables a neighbourhood) fewer presolve passes did not help (three seeds: mean 5,553
    against 5,255, within their spread), so smaller models keep the default."""
    if len(model.proto.variables) < LIGHT_PRESOLVE_VARIABLES:
        return False
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.find_big_linear_overlap = False
    solver.parameters.cp_model_probing_level = 0
    return True
