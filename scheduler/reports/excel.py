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
LABELS = {
    "zh": {"roster": "排班", "agents": "人员汇总", "coverage": "覆盖", "agent_id": "工号", "name": "姓名",
           "tier": "等级", OFF: "休", LEAVE: "假", "day": "白班", "night": "晚班",
           "weekdays": "一二三四五六日"},
    "en": {"roster": "roster", "agents": "agents", "coverage": "coverage", "agent_id": "agent_id", "name": "name",
           "tier": "tier", OFF: "off", LEAVE: "leave", "day": "day", "night": "night", "weekdays": "MTWTFSS"},
}
REST_FILL = {OFF: "EEEEEE", LEAVE: "B7B7B7"}


def write_roster_xlsx(path: Path, roster: pd.DataFrame, agents: list[Agent] | tuple[Agent, ...],
                      config: Config, days: list, agents_frame: pd.DataFrame, coverage: pd.DataFrame,
                      lang: str = "zh") -> Path:
    """Grid of agents x days (cell: shift and shop(s)), per-agent totals, per-day coverage."""
    t = LABELS[lang]
    wb = Workbook()
    ws = wb.active
    ws.title = t["roster"]
    fills = {s: PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)]) for i, s in enumerate(config.shift_ids)}
    fills.update({k: PatternFill("solid", fgColor=v) for k, v in REST_FILL.items()})
    header = [t["agent_id"], t["name"], t["tier"]] + [f"{d:%m-%d}\n{t['weekdays'][d.weekday()]}" for d in days]
    ws.append(header)
    cells = {}
    for row in roster.itertuples(index=False):
        key = (row.agent_id, row.date)
        name = t.get(row.shift, row.shift)
        label = name if row.shift in (OFF, LEAVE) else f"{name} {row.shop}"
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

    totals = wb.create_sheet(t["agents"])
    totals.append(list(agents_frame.columns))
    for rec in agents_frame.itertuples(index=False):
        totals.append(list(rec))
    totals.freeze_panes = "B2"

    cov = wb.create_sheet(t["coverage"])
    cov.append(list(coverage.columns))
    for rec in coverage.itertuples(index=False):
        cov.append([str(rec[0])] + list(rec[1:]))
    cov.freeze_panes = "A2"
    wb.save(path)
    return path
