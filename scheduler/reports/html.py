"""report.html: one self-contained page (inline CSS, charts as inline PNG, no network) per run.

Generic building blocks any command can use (``staffing hiring`` included)::

    sections = [table_section("plan", "招聘计划", frame), figure_section("chart", "需求", fig)]
    write_html_report(out / "report.html", "招聘需求", sections, lang="zh")

plus the sections of a roster (summary, coverage heatmap, roster calendar, fairness, soft
violations), the forecast with its interval and events, and the what-if comparison.
"""

from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..domain import LEAVE, OFF
from .charts import save_figure
from .comparison import LABELS as COMPARISON_LABELS, SHOWN as COMPARISON_SHOWN
from .fonts import CSS_FONT_STACK
from .report_charts import comparison_chart, fairness_chart, forecast_chart

TEXT = {
    "zh": {"summary": "概览", "forecast": "询单预测", "coverage": "覆盖热力图", "roster": "排班日历",
           "fairness": "公平性", "soft": "软约束违规", "comparison": "场景对比", "failed": "失败的场景",
           "scenario_details": "各场景详情", "measure": "指标", "value": "数值", "generated": "生成于",
           "none": "无", "rule": "规则", "where": "位置", "amount": "数量", "cost": "代价",
           "heat_note": "颜色：每人接待量相对区间（蓝 = 低于下限，绿 = 区间内，橙 = 接近上限，红 = 有未覆盖询单）。",
           "fair_note": "每位客服的夜班数与出勤天数（虚线为平均）。", "events": "活动", "off": "休", "leave": "假",
           "shop": "店铺", "agent": "客服", "reason": "原因", "more": "另有 {n} 行未显示",
           "roster_title": "排班报告", "demo_title": "演示：预测 → 测算 → 排班 → 校验", "whatif_title": "What-if 场景分析",
           "weekdays": "一二三四五六日", "lang": "zh-CN",
           "whatif_sub": "{n} 个场景（{ok} 个成功）· 基准团队 {agents} 人 · {src}", "roster_sub": "{agents} 名客服 · 店铺：{shops}"},
    "en": {"summary": "Summary", "forecast": "Forecast", "coverage": "Coverage heatmap", "roster": "Roster calendar",
           "fairness": "Fairness", "soft": "Soft-rule violations", "comparison": "Scenario comparison",
           "failed": "Failed scenarios", "scenario_details": "Scenario details", "measure": "measure",
           "value": "value", "generated": "generated", "none": "none", "rule": "rule", "where": "where",
           "amount": "amount", "cost": "cost",
           "heat_note": "Colour: load per agent against the band (blue = under min, green = in band, orange = near "
                        "max, red = uncovered inquiries).",
           "fair_note": "Nights and workdays per agent (dashed: mean).", "events": "events", "off": "off",
           "leave": "leave", "shop": "shop", "agent": "agent", "reason": "reason", "more": "{n} more rows not shown",
           "roster_title": "Roster report", "demo_title": "Demo: forecast -> size -> roster -> check",
           "whatif_title": "What-if scenarios", "weekdays": "MTWTFSS", "lang": "en",
           "whatif_sub": "{n} scenarios ({ok} solved) · base team {agents} agents · {src}",
           "roster_sub": "{agents} agents · shops: {shops}"},
}
SHIFT_TEXT = {"zh": {"day": "白", "night": "晚", "mid": "中", "middle": "中", "early": "早", "late": "晚"},
              "en": {"day": "D", "night": "N", "mid": "M", "middle": "M", "early": "E", "late": "L"}}
PALETTE = ["#fff2cc", "#c9daf8", "#d9ead3", "#f4cccc", "#ead1dc", "#d0e0e3"]

CSS = """
:root { --ink:#222; --muted:#666; --line:#ddd; }
* { box-sizing: border-box; }
body { font-family: %s; color: var(--ink); margin: 0; background: #fafafa; }
header { background: #0b5394; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 22px; } header p { margin: 4px 0 0; opacity: .85; font-size: 13px; }
nav { padding: 8px 24px; background: #fff; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 14px; color: #0b5394; text-decoration: none; }
section { background: #fff; margin: 16px 24px; padding: 12px 18px; border: 1px solid var(--line); border-radius: 6px; }
h2 { font-size: 17px; margin: 4px 0 10px; } h3 { font-size: 14px; margin: 12px 0 6px; }
p.note { color: var(--muted); font-size: 12px; margin: 4px 0 8px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.t, th.t { text-align: left; }
table.grid td { text-align: center; padding: 2px 3px; min-width: 22px; }
table.heat td { text-align: center; min-width: 30px; }
tr.failed td { color: #cc0000; }
img { max-width: 100%%; height: auto; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
footer { color: var(--muted); font-size: 11px; margin: 0 24px 24px; }
""" % CSS_FONT_STACK

SCRIPT = """
(function () {
  document.querySelectorAll("table.sortable th").forEach(function (th, i) {
    th.addEventListener("click", function () {
      var body = th.closest("table").tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var num = function (r) { var v = parseFloat(r.cells[i].dataset.v || r.cells[i].textContent.replace(/,/g, ""));
                               return isNaN(v) ? r.cells[i].textContent : v; };
      var asc = th.dataset.asc !== "1"; th.dataset.asc = asc ? "1" : "0";
      rows.sort(function (a, b) { var x = num(a), y = num(b); return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1); });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.documentElement.setAttribute("data-ready", String(document.querySelectorAll("section").length));
})();
"""


@dataclass
class Section:
    """One section of the page: an anchor id, a title, and its body (HTML, already escaped)."""

    id: str
    title: str
    body: str


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "-"
    if isinstance(v, float):
        return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def table_html(frame: pd.DataFrame, headers: dict[str, str] | None = None, max_rows: int = 500,
               lang: str = "zh", sortable: bool = False, row_class=None) -> str:
    """A frame as an HTML table (text left, numbers right); at most `max_rows` rows."""
    headers = headers or {}
    cls = ' class="sortable"' if sortable else ""
    text_cols = {c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f'<th class="{"t" if c in text_cols else ""}">{esc(headers.get(c, c))}</th>' for c in frame.columns)
    rows = []
    for rec in frame.head(max_rows).to_dict("records"):
        extra = f' class="{row_class(rec)}"' if row_class and row_class(rec) else ""
        cells = "".join(f'<td class="t">{esc(_fmt(rec[c]))}</td>' if c in text_cols else
                        f'<td data-v="{esc(rec[c])}">{esc(_fmt(rec[c]))}</td>' for c in frame.columns)
        rows.append(f"<tr{extra}>{cells}</tr>")
    more = (f'<p class="note">{esc(TEXT[lang]["more"].format(n=len(frame) - max_rows))}</p>'
            if len(frame) > max_rows else "")
    return f'<div class="scroll"><table{cls}><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{more}'


def figure_html(fig: Figure, alt: str = "") -> str:
    """A matplotlib Figure as an inline PNG <img> (closes the figure)."""
    buf = io.BytesIO()
    save_figure(fig, buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def table_section(id: str, title: str, frame: pd.DataFrame, note: str = "", headers: dict | None = None,
                  lang: str = "zh", max_rows: int = 500) -> Section:
    body = (f'<p class="note">{esc(note)}</p>' if note else "") + table_html(frame, headers, max_rows, lang, True)
    return Section(id, title, body)


def figure_section(id: str, title: str, fig: Figure, note: str = "") -> Section:
    return Section(id, title, (f'<p class="note">{esc(note)}</p>' if note else "") + figure_html(fig, title))


def text_section(id: str, title: str, text: str) -> Section:
    return Section(id, title, "".join(f"<p>{esc(line)}</p>" for line in text.splitlines() if line.strip()))


def html_report(title: str, sections: list[Section], lang: str = "zh", subtitle: str = "") -> str:
    """The whole page: header, a link bar to every section, the sections, a small script."""
    t = TEXT[lang]
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    stamp = pd.Timestamp.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html>\n<html lang="{t["lang"]}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header><nav>{nav}</nav>{body}"
            f"<footer>cs-staffing · {esc(t['generated'])} {stamp}</footer>"
            f"<script>{SCRIPT}</script></body></html>\n")


def write_html_report(path: Path, title: str, sections: list[Section], lang: str = "zh", subtitle: str = "") -> Path:
    """Write the page to `path` (whole, then renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html_report(title, sections, lang, subtitle), encoding="utf-8")
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- roster sections


SUMMARY_ROWS = {
    "zh": [("status", "求解状态"), ("objective", "目标值"), ("gap", "最优性差距"), ("solve_seconds", "求解秒数"),
           ("volume_inquiries", "询单量"), ("uncovered_inquiries", "未覆盖询单"), ("uncovered_share", "未覆盖占比"),
           ("hard_violations", "硬约束违规（校验）"), ("nights_min", "夜班最少"), ("nights_max", "夜班最多"),
           ("workdays_min", "出勤最少"), ("workdays_max", "出勤最多"), ("soft_violations", "软约束违规"),
           ("monthly_cost", "月成本"), ("forecast_model", "预测模型")],
    "en": [("status", "solver status"), ("objective", "objective"), ("gap", "gap"), ("solve_seconds", "solve seconds"),
           ("volume_inquiries", "inquiries"), ("uncovered_inquiries", "uncovered inquiries"),
           ("uncovered_share", "uncovered share"), ("hard_violations", "hard violations (validator)"),
           ("nights_min", "nights min"), ("nights_max", "nights max"), ("workdays_min", "workdays min"),
           ("workdays_max", "workdays max"), ("soft_violations", "soft violations"), ("monthly_cost", "monthly cost"),
           ("forecast_model", "forecast model")],
}


def summary_section(summary: dict, lang: str = "zh", extra: list[tuple[str, object]] = ()) -> Section:
    t = TEXT[lang]
    rows = [(label, summary[key]) for key, label in SUMMARY_ROWS[lang] if summary.get(key) is not None]
    rows += list(extra)
    frame = pd.DataFrame(rows, columns=[t["measure"], t["value"]]).astype(str)
    return Section("summary", t["summary"], table_html(frame, lang=lang))


def _heat_colour(load: float, uncovered: int, band) -> str:
    if uncovered > 0:
        return "#e06666"
    if load < band.min:
        return "#9fc5e8" if load >= band.min * 0.75 else "#6fa8dc"
    if load > band.target + 0.5 * (band.max - band.target):
        return "#f6b26b"
    return "#93c47d" if load >= band.target else "#b6d7a8"


def coverage_heatmap(coverage: pd.DataFrame, config, lang: str = "zh") -> str:
    """Shop x day table coloured by load per agent against the band (HTML, no image)."""
    t = TEXT[lang]
    cov = coverage.copy()
    day = cov.groupby(["shop", "date"])[["volume", "agents", "assigned", "uncovered"]].sum()
    days = sorted(cov["date"].unique())
    names = {s.id: s.name or s.id for s in config.shops}
    head = "".join(f"<th>{pd.Timestamp(d):%d}<br>{t['weekdays'][pd.Timestamp(d).weekday()]}</th>" for d in days)
    rows = []
    for shop in config.shop_ids:
        cells = []
        for d in days:
            if (shop, d) not in day.index:
                cells.append("<td></td>")
                continue
            r = day.loc[(shop, d)]
            load = r["assigned"] / r["agents"] if r["agents"] else 0.0
            tip = (f"{names[shop]} {pd.Timestamp(d):%Y-%m-%d}: {int(r['volume'])} / {int(r['agents'])} "
                   f"= {load:.0f}; uncovered {int(r['uncovered'])}")
            colour = "#eeeeee" if not r["volume"] else _heat_colour(load, int(r["uncovered"]), config.band)
            cells.append(f'<td style="background:{colour}" title="{esc(tip)}">{load:.0f}</td>')
        rows.append(f'<tr><th class="t">{esc(names[shop])}</th>{"".join(cells)}</tr>')
    return (f'<p class="note">{esc(t["heat_note"])} band {config.band.min}-{config.band.target}-{config.band.max}</p>'
            f'<div class="scroll"><table class="heat"><thead><tr><th class="t">{esc(t["shop"])}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def roster_grid(roster: pd.DataFrame, agents, config, days: list[date], lang: str = "zh") -> str:
    """Agents x days calendar: a short shift label per cell, coloured by shift, shops in the tooltip."""
    t = TEXT[lang]
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(config.shift_ids)}
    colours.update({OFF: "#f3f3f3", LEAVE: "#b7b7b7"})
    labels = {s: SHIFT_TEXT[lang].get(s, s[:1].upper()) for s in config.shift_ids}
    labels.update({OFF: t["off"], LEAVE: t["leave"]})
    cells: dict[tuple, tuple[str, list[str]]] = {}
    for r in roster.itertuples(index=False):
        key = (r.agent_id, r.date)
        shops = cells.get(key, (r.shift, []))[1]
        if r.shop:
            shops.append(f"{r.shop} {int(r.load)}")
        cells[key] = (r.shift, shops)
    head = "".join(f"<th>{d:%d}<br>{t['weekdays'][d.weekday()]}</th>" for d in days)
    rows = []
    for a in agents:
        tds = []
        for d in days:
            shift, shops = cells.get((a.id, d), ("", []))
            tip = f"{a.name} {d:%m-%d} {shift} {'; '.join(shops)}".strip()
            tds.append(f'<td style="background:{colours.get(shift, "#fff")}" title="{esc(tip)}">'
                       f"{esc(labels.get(shift, shift))}</td>")
        rows.append(f'<tr><th class="t">{esc(a.name)}</th>{"".join(tds)}</tr>')
    return (f'<div class="scroll"><table class="grid"><thead><tr><th class="t">{esc(t["agent"])}</th>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div>')


def violations_html(violations: pd.DataFrame, lang: str = "zh", max_rows: int = 200) -> str:
    t = TEXT[lang]
    if violations is None or violations.empty:
        return f"<p>{esc(t['none'])}</p>"
    v = violations.sort_values("cost", ascending=False)[["rule", "where", "amount", "cost"]]
    return table_html(v, {c: t[c] for c in ("rule", "where", "amount", "cost")}, max_rows, lang, True)


def roster_sections(outcome, lang: str = "zh", extra_summary: list[tuple[str, object]] = ()) -> list[Section]:
    """Summary, coverage heatmap, roster calendar, fairness chart, soft violations of a RosterOutcome."""
    t = TEXT[lang]
    p = outcome.problem
    r = outcome.result
    return [
        summary_section(outcome.summary, lang, extra_summary),
        Section("coverage", t["coverage"], coverage_heatmap(r.coverage, p.config, lang)),
        Section("roster", t["roster"], roster_grid(r.roster, p.agents, p.config, list(p.days), lang)),
        Section("fairness", t["fairness"], f'<p class="note">{esc(t["fair_note"])}</p>'
                + figure_html(fairness_chart(outcome.agents, lang), t["fairness"])),
        Section("soft", t["soft"], violations_html(r.violations, lang)),
    ]


def forecast_section(history: pd.DataFrame | None, forecast: pd.DataFrame, config, lang: str = "zh",
                     events: pd.DataFrame | None = None) -> Section:
    t = TEXT[lang]
    names = {s.id: s.name or s.id for s in config.shops}
    note = ""
    if events is not None and len(events):
        note = f'<p class="note">{esc(t["events"])}: ' + esc("; ".join(
            f"{e['name']} {e['start']}..{e['end']}" for e in events.to_dict("records"))) + "</p>"
    return Section("forecast", t["forecast"], note + figure_html(forecast_chart(history, forecast, names, lang, events),
                                                                 t["forecast"]))


def forecast_events(config, start, end) -> pd.DataFrame:
    """``name, start, end, shops`` of the calendar events the forecast knew in [start, end]."""
    from forecasts.calendar import event_calendar

    from ..pipeline import forecast_settings

    cal = event_calendar(start, end, forecast_settings(config).calendar)
    if cal.empty:
        return pd.DataFrame(columns=["name", "start", "end", "shops"])
    on = cal[~cal["phase"].isin(["eve", "next"])]
    rows = []
    for (name, phase), g in on.groupby(["event", "phase"], sort=False):
        shops = sorted(set(g["shop"]) - {""})
        rows.append({"name": f"{name} {phase}" if phase and phase != "event" else name,
                     "start": pd.Timestamp(g["date"].min()).date(), "end": pd.Timestamp(g["date"].max()).date(),
                     "shops": shops})
    return pd.DataFrame(rows)


def roster_report(path: Path, outcome, lang: str = "zh", history: pd.DataFrame | None = None,
                  forecast: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                  demo: bool = False) -> Path:
    """report.html for `staffing roster --html` and `staffing demo`: the forecast (or the
    demand) first, then the roster sections."""
    t = TEXT[lang]
    p = outcome.problem
    shown = forecast if forecast is not None else p.demand.groupby(["date", "shop"], as_index=False)["volume"].sum()
    sections = [forecast_section(history, shown, p.config, lang, events)] + roster_sections(outcome, lang)
    sections = [sections[1], sections[0]] + sections[2:]  # summary first
    title = t["demo_title"] if demo else t["roster_title"]
    return write_html_report(path, f"{title} {p.month:%Y-%m}", sections, lang,
                             t["roster_sub"].format(agents=len(p.agents),
                                                    shops=", ".join(s.name or s.id for s in p.config.shops)))


# ---------------------------------------------------------------- what-if


def comparison_section(table: pd.DataFrame, lang: str = "zh") -> Section:
    t = TEXT[lang]
    labels = COMPARISON_LABELS[lang]
    shown = table[COMPARISON_SHOWN]
    body = table_html(shown, labels, 200, lang, True, lambda r: "failed" if r["status"] == "FAILED" else "")
    if (table["status"] != "FAILED").any():
        body += figure_html(comparison_chart(table, lang), t["comparison"])
    return Section("comparison", t["comparison"], body)


def whatif_report(path: Path, base, jobs, results, table: pd.DataFrame, lang: str = "zh") -> Path:
    """report.html of `staffing whatif`: comparison table and chart, failures with their reason,
    the base forecast with every scenario's events, and per scenario its coverage heatmap and
    largest soft violations."""
    t = TEXT[lang]
    sections = [comparison_section(table, lang)]
    failed = [r for r in results if not r.ok]
    if failed:
        frame = pd.DataFrame({labels: vals for labels, vals in
                              ((COMPARISON_LABELS[lang]["scenario"], [r.name for r in failed]),
                               (t["reason"], [r.error for r in failed]))})
        sections.append(Section("failed", t["failed"], table_html(frame, lang=lang)))
    events = pd.DataFrame([{**e, "name": f"{r.name}: {e['name']}"} for r in results for e in r.events],
                          columns=["name", "start", "end", "shops", "multiplier"])
    fc = next((j.forecast for j in jobs if getattr(j, "forecast", None) is not None), None)
    if fc is not None:
        sections.append(forecast_section(base.history, fc, base.config, lang, events))
    details = []
    for job, res in zip(jobs, results):
        if not res.ok:
            continue
        inner = coverage_heatmap(res.coverage, job.config, lang) + f"<h3>{esc(t['soft'])}</h3>" + \
            violations_html(res.violations, lang, max_rows=15)
        desc = f" — {esc(job.description)}" if job.description else ""
        details.append(f"<details><summary>{esc(res.name)}{desc}</summary>{inner}</details>")
    sections.append(Section("scenarios", t["scenario_details"], "".join(details) or f"<p>{esc(t['none'])}</p>"))
    ok = sum(r.ok for r in results)
    return write_html_report(path, f"{t['whatif_title']} {base.month:%Y-%m}", sections, lang,
                             t["whatif_sub"].format(n=len(jobs), ok=ok, agents=len(base.agents), src=base.source))
