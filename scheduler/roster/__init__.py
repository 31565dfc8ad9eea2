"""The CP-SAT roster model: variables, one function per rule, objective, solve."""

from .solve import RosterError, RosterResult, build_model, configure_solver, solve_roster

__all__ = ["RosterError", "RosterResult", "build_model", "configure_solver", "solve_roster"]
