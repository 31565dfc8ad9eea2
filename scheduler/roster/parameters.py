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
