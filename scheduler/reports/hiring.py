"""Hiring report: chart, workbook and a Markdown summary a manager can forward."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from openpyxl.styles import Font  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from ..hiring import HiringPlan  # noqa: E402
from ..io import write_csv  # noqa: E402
from .charts import save_figure  # noqa: E402


def hiring_figure(plan: HiringPlan) -> Figure:
    """Needed vs available heads per month (formula range, proven figure), hires as bars,
    events annotated above their month."""
    t = plan.table
    x = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(10, 4.8))
    ax.bar(x, t["hires_needed"], color="#f6b26b", width=0.5, label="hires needed (start training before the month)")
    ax.fill_between(x, t["heads_formula_max"], t["heads_formula_target"], color="#9fc5e8", alpha=0.5,
                    step="mid", label="required heads, formula (band max - target)")
    ax.plot(x, t["required_heads"], color="#0b5394", marker="o", lw=1.5, label="required heads (plan)")
    ax.plot(x, t["available_heads"], color="#38761d", marker="s", lw=1.5, label="current team (after attrition)")
    ax.plot(x, t["planned_heads"], color="#38761d", ls="--", lw=1.2, label="team with planned hires")
    proven = t[t["proven_hi"].notna()]
    if len(proven):
        xs = x[proven.index]
        lo = proven["proven_lo"].astype(float).to_numpy()
        hi = proven["proven_hi"].astype(float).to_numpy()
        ax.errorbar(xs, hi, yerr=[hi - lo, np.zeros_like(hi)], fmt="D", color="#990000", capsize=4,
                    label="proven by the roster model (bracket when a probe timed out)")
    top = float(max(t["heads_formula_target"].max(), t["planned_heads"].max(), t["required_heads"].max()))
    for i, r in enumerate(t.itertuples()):
        text = r.events.replace("; ", "\n") if r.events else ""
        if r.peak_extra_heads:  # the busiest day needs more than the planned team
            text += ("\n" if text else "") + f"peak {str(r.peak_day)[5:]}: {r.peak_heads}"
        if text:
            ax.annotate(text, (i, top * 1.02), ha="center", va="bottom", fontsize=7, color="#783f04")
    for i, n in enumerate(t["hires_needed"]):
        if n:
            ax.annotate(f"+{n}", (i, n), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, t["month"])
    ax.set_ylim(0, top * 1.25)
    ax.set_ylabel("heads")
    ax.set_title(f"Hiring need at p{round(float(t['staffing_quantile'].iloc[0]) * 100)} volume "
                 f"(as of {plan.as_of})", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False)
    fig.tight_layout()
    return fig


def probes_table(plan: HiringPlan) -> pd.DataFrame:
    """Every roster solve of the proven search: month, heads, outcome, uncovered, bound, seconds."""
    rows = [(m, p.heads, p.outcome, p.status, p.uncovered, p.bound, round(p.seconds, 1))
            for m, proof in plan.proofs.items() for p in proof.probes]
    return pd.DataFrame(rows, columns=["month", "heads", "outcome", "status", "uncovered", "bound", "seconds"])


def write_hiring_xlsx(path: Path, plan: HiringPlan) -> Path:
    """Sheets: hiring (one row per month), shops (volume per month and shop), probes (the
    proven search's solves). Bold frozen headers, widths fitted to the text."""
    sheets = {"hiring": plan.table, "shops": plan.shops, "probes": probes_table(plan)}
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            ws = xl.sheets[name]
            ws.freeze_panes = "B2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    return path


def _heads(v) -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:g}"


def hiring_markdown(plan: HiringPlan) -> str:
    """A short summary in plain words: what to hire, by when, and why."""
    t = plan.table
    cfg = plan.config
    h = cfg.hiring
    q = round(float(t["staffing_quantile"].iloc[0]) * 100)
    lines = [f"# Hiring plan {t['month'].iloc[0]} to {t['month'].iloc[-1]}", "",
             f"As of {plan.as_of}. Volumes are the forecast's p{q} (planned) and p50 (expected). Heads are planned "
             f"at band {h.plan_at} ({getattr(cfg.band, h.plan_at)} inquiries per agent a day), with "
             f"{h.shrinkage.total:.0%} shrinkage, training of {cfg.rules.training_days} days and a recruiting "
             f"lead time of {h.recruiting_lead_days} days.", ""]
    hires = t[t["hires_needed"] > 0]
    if hires.empty:
        lines.append("**No hiring needed** over the horizon: the current team, after expected attrition, covers "
                     "every month.")
    else:
        lines.append("## What to do")
        lines.append("")
        for r in hires.itertuples():
            senior = f", of them {r.hires_senior} senior or above" if r.hires_senior else ""
            late = " **(already late: start now)**" if r.recruit_late else ""
            why = f" ({r.events})" if r.events else ""
            lines.append(f"- **{r.month}**{why}: hire **{r.hires_needed}**{senior}. Start recruiting by "
                         f"**{r.recruit_by}**{late}; they must start training by {r.hire_start}.")
        lines.append("")
    surplus = t[t["surplus_heads"] > 0]
    if len(surplus):
        lines.append("## Overstaffing")
        lines.append("")
        for r in surplus.itertuples():
            lines.append(f"- {r.month}: expected load {r.expected_load} inquiries per agent a day is under band "
                         f"min {cfg.band.min}; about {r.surplus_heads} heads more than the volume needs "
                         "(consider not replacing leavers, or lending agents to other shops).")
        lines.append("")
    lines += ["## Month by month", "",
              "| month | events | volume p50 | volume planned | heads needed (formula max-target) | proven | "
              "available | hires |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in t.itertuples():
        proven = "-" if r.proven_hi is None or pd.isna(r.proven_hi) else (
            _heads(r.proven_hi) if r.proven_lo == r.proven_hi else f"{_heads(r.proven_lo)}-{_heads(r.proven_hi)}")
        lines.append(f"| {r.month} | {r.events or ''} | {r.volume_p50:,} | {r.volume_staffing:,} | "
                     f"{r.required_heads} ({r.heads_formula_max}-{r.heads_formula_target}) | {proven} | "
                     f"{r.available_heads:.1f} | {r.hires_needed} |")
    lines.append("")
    notes = [f"- {r.month}: {r.note}" for r in t.itertuples() if r.note]
    if notes or plan.warnings:
        lines += ["## Notes", ""] + notes + [f"- {w}" for w in plan.warnings] + [""]
    lines += ["## How these figures are made", "",
              "- *Formula*: inquiries per shop, day and shift over the band give agent-shifts; divided by the days "
              "one agent can work in the month under the days-off rules, net of shrinkage"
              + ("; never fewer than the busiest day needs." if h.peak_days == "hire" else
                 ". The busiest day is checked separately (temporary staff or overtime beyond the team)."),
              "- *Proven*: the smallest team of new agents for which the roster model finds a roster with no "
              "uncovered inquiry and nobody above band max, grossed up for shrinkage. A range means a solve ran "
              "out of time; the true figure lies inside it.",
              "- *Available*: the current team after expected monthly attrition per tier; agents still in "
              "training count only for the days after training.", ""]
    return "\n".join(lines)


def write_hiring_outputs(out: Path, plan: HiringPlan) -> None:
    """hiring.csv, hiring_shops.csv, hiring_probes.csv, hiring.xlsx, hiring.png, hiring.md and
    hiring.html into `out`."""
    write_csv(plan.table, out / "hiring.csv")
    write_csv(plan.shops, out / "hiring_shops.csv")
    write_csv(probes_table(plan), out / "hiring_probes.csv")
    write_hiring_xlsx(out / "hiring.xlsx", plan)
    save_figure(hiring_figure(plan), out / "hiring.png")
    (out / "hiring.md").write_text(hiring_markdown(plan), encoding="utf-8")
    write_hiring_html(out / "hiring.html", plan)


HTML_COLUMNS = ["month", "events", "volume_p50", "volume_staffing", "heads_formula_max", "heads_formula_target",
                "proven_lo", "proven_hi", "proof", "required_heads", "available_heads", "in_training",
                "hires_needed", "hires_senior", "recruit_by", "recruit_late", "peak_heads", "planned_heads",
                "expected_load", "surplus_heads"]


def hiring_sections(plan: HiringPlan, lang: str = "en") -> list:
    """The hiring report as sections of the HTML report (scheduler/reports/html.py): the summary
    in words, the chart, the month table, volume per shop, the proven search's solves."""
    from .html import figure_section, table_section, text_section

    words = [line.replace("**", "").lstrip("#- ").strip() for line in hiring_markdown(plan).splitlines()
             if line.strip() and not line.startswith("|") and line != "## Month by month"]
    sections = [text_section("hiring-summary", "Hiring plan", "\n".join(words[1:])),
                figure_section("hiring-chart", "Needed vs available heads", hiring_figure(plan)),
                table_section("hiring-months", "Month by month", plan.table[HTML_COLUMNS], lang=lang),
                table_section("hiring-shops", "Volume per shop", plan.shops, lang=lang)]
    probes = probes_table(plan)
    if len(probes):
        sections.append(table_section("hiring-probes", "Proven search: roster solves", probes,
                                      "found: a roster with no uncovered inquiry; none: proven impossible; "
                                      "unknown: the time limit ran out first.", lang=lang))
    return sections


def write_hiring_html(path: Path, plan: HiringPlan, lang: str = "en") -> Path:
    """hiring.html: the sections of :func:`hiring_sections` as one self-contained page."""
    from .html import write_html_report

    t = plan.table
    return write_html_report(path, f"Hiring plan {t['month'].iloc[0]} to {t['month'].iloc[-1]}",
                             hiring_sections(plan, lang), lang, f"as of {plan.as_of}")
