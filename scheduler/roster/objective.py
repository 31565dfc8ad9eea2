"""Penalty records and the objective: the only place that calls ``model.minimize``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Penalty:
    """A soft-rule term: ``weight * expr`` in the objective, named for the report."""

    expr: cp_model.LinearExprT
    weight: int
    rule: str
    where: str


def minimize(model: cp_model.CpModel, penalties: list[Penalty]) -> None:
    used = [p for p in penalties if p.weight]
    model.minimize(cp_model.LinearExpr.weighted_sum([p.expr for p in used], [p.weight for p in used]))


def violations(solver: cp_model.CpSolver, penalties: list[Penalty]) -> pd.DataFrame:
    """Every penalty with a non-zero value after solving: rule, where, amount, cost."""
    rows = []
    for p in penalties:
        amount = int(solver.value(p.expr))
        if amount and p.weight:
            rows.append({"rule": p.rule, "where": p.where, "amount": amount, "cost": amount * p.weight})
    return pd.DataFrame(rows, columns=["rule", "where", "amount", "cost"])
