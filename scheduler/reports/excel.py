"""roster.xlsx: agents x days grid with a fill colour per shift and frozen headers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..config import Config
from ..domain import LEAVE, OFF, Agent

PALETTE = ["FFF2CC", "C9DAF8", "D9EAD3", "F4CCCC", "EAD1DC", "D0E0E3"]
REST_FILL = {OFF: "EEEEEE", LEAVE: "B7B7B7"}


def write_roster_xlsx(path: Path, roster: pd.DataFrame, agents: list[Agent] | tuple[Agent, ...],
                      config: Config, days: list, agents_frame: pd.DataFrame, coverage: pd.DataFrame) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "roster"
    fills = {s: PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)]) for i, s in enumerate(config.shift_ids)}
    fills.update({k: PatternFill("solid", fgColor=v) for k, v in REST_FILL.items()})
    header = ["agent_id", "name", "tier"] + [f"{d:%m-%d}\n{'一二三四五六日'[d.weekday()]}" for d in days]
    ws.append(header)
    cells = {}
    for row in roster.itertuples(index=False):
        key = (row.agent_id, row.date)
        label = row.shift if row.shift in (OFF, LEAVE) else f"{row.shift} {row.shop}"
        cells[key] = label if key not in cells else f"{cells[key]}+{row.shop}"
        cells[key, "shift"] = row.shift
    for agent in agents:
        ws.append([agent.id, agent.name, agent.tier] + [cells.get((agent.id, d), "") for d in days])
        r = ws.max_row
        for j, d in enumerate(days):
            st = cells.get((agent.id, d, "shift"))
            if st in fills:
                ws.cell(r, 4 + j).fill = fills[st]
    for j in range(len(header)):
        ws.column_dimensions[get_column_letter(j + 1)].width = 14 if j < 3 else 11
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, horizontal="center")
    ws.freeze_panes = "D2"

    totals = wb.create_sheet("agents")
    totals.append(list(agents_frame.columns))
    for rec in agents_frame.itertuples(index=False):
        totals.append(list(rec))
    totals.freeze_panes = "B2"

    cov = wb.create_sheet("coverage")
    cov.append(list(coverage.columns))
    for rec in coverage.itertuples(index=False):
        cov.append([str(rec[0])] + list(rec[1:]))
    cov.freeze_panes = "A2"
    wb.save(path)
    return path
