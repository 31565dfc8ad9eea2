"""report.html: self-contained, CJK labels render (no missing glyph), sections present; opened in
headless Chromium (screenshot, DOM, console) when the browser is installed (CI installs it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from conftest import MONTH, make_config, make_demand
from scheduler.domain import Agent
from scheduler.pipeline import run_roster
from scheduler.reports.fonts import cjk_font
from scheduler.reports.html import (Section, html_report, roster_report, table_section, whatif_report,
                                    write_html_report)

REQUIRED = bool(os.environ.get("STAFFING_REQUIRE_BROWSER"))  # set by .ci/run: no skipping there
NAMES = ["张芳", "李娜", "王伟", "刘洋", "陈静", "杨磊"]
ROSTER_SECTIONS = ["summary", "forecast", "coverage", "roster", "fairness", "soft"]


def _need(condition: bool, why: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def outcome():
    config = make_config(shops=("big", "small"), solver={"time_limit_s": 3, "workers": 2})
    config = config.model_copy(update={"shops": [s.model_copy(update={"name": n}) for s, n in
                                                 zip(config.shops, ("旗舰店", "折扣店"))]})
    agents = [Agent(f"A{i}", n, ("junior", "senior", "gold")[i % 3]) for i, n in enumerate(NAMES, start=1)]
    demand = make_demand(config, per_shift={"big": 150, "small": 40}, noise=0.2)
    return run_roster(config, agents, demand, MONTH)


@pytest.fixture(scope="module")
def report(outcome, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    history = pd.DataFrame({"date": pd.date_range("2026-01-01", "2026-01-31").repeat(2),
                            "shop": ["big", "small"] * 31, "inquiries": [330, 90] * 31})
    fc = outcome.problem.demand.groupby(["date", "shop"], as_index=False)["volume"].sum()
    fc = fc.assign(p50=fc["volume"], p80=fc["volume"] * 1.1, p90=fc["volume"] * 1.2).drop(columns="volume")
    events = pd.DataFrame([{"name": "情人节", "start": date(2026, 2, 14), "end": date(2026, 2, 14), "shops": []}])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        roster_report(path, outcome, "zh", history, fc, events, demo=True)
    glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message) or "CJK" in str(w.message)]
    _need(cjk_font() is not None, "no CJK font installed (apt-get install fonts-noto-cjk)")
    assert not glyphs, glyphs
    return path


def test_report_is_self_contained_with_every_section(report):
    text = report.read_text(encoding="utf-8")
    for sid in ROSTER_SECTIONS:
        assert f'<section id="{sid}">' in text
    assert "旗舰店" in text and "张芳" in text and "排班日历" in text and "情人节" in text
    assert not re.search(r'(src|href)="(https?:)?//', text), "no external resources"
    assert text.count("data:image/png;base64,") == 2  # forecast and fairness charts inline


def test_english_labels(outcome, tmp_path):
    path = roster_report(tmp_path / "en.html", outcome, "en")
    text = path.read_text(encoding="utf-8")
    assert "Roster calendar" in text and "Coverage heatmap" in text and 'lang="en"' in text


def test_generic_sections_escape_content(tmp_path):
    frame = pd.DataFrame({"month": ["2026-03"], "hires": [3], "note": ["<b>双11</b>"]})
    page = html_report("招聘", [table_section("plan", "招聘计划", frame), Section("x", "X", "<p>ok</p>")])
    assert "&lt;b&gt;双11&lt;/b&gt;" in page and '<section id="plan">' in page
    assert write_html_report(tmp_path / "r.html", "t", []).is_file()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run_chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=90,
                          env={**os.environ, "HOME": str(tmp)})


def test_report_opens_in_headless_chromium(report, tmp_path):
    _need(_chromium() is not None, "chromium not installed (apt-get install chromium)")
    url = report.resolve().as_uri()
    dom = _run_chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # the inline script ran to its end and counted the sections: the page loaded without a JS error
    assert f'data-ready="{len(ROSTER_SECTIONS)}"' in dom.stdout
    for sid in ROSTER_SECTIONS:
        assert f'id="{sid}"' in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    shot = tmp_path / "shot.png"
    res = _run_chromium(["--window-size=1280,2000", f"--screenshot={shot}", url], tmp_path)
    assert res.returncode == 0 and shot.is_file(), res.stderr[-2000:]
    from matplotlib.image import imread
    pixels = imread(shot)
    assert pixels.shape[0] == 2000 and pixels.shape[1] == 1280
    colours = {tuple(p) for p in pixels[::20, ::20, :3].reshape(-1, 3).round(2).tolist()}
    assert len(colours) > 20, "the screenshot is not a blank page"
