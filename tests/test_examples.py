"""Every example config parses, and its defaults match the library's defaults."""

from pathlib import Path

import pytest

from scheduler.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "configs").glob("*.yaml") if not p.name.startswith("scenarios"))
                         + [ROOT / "scheduler/demo_data/config.yaml"],
                         ids=lambda p: p.name)
def test_example_configs_load(path):
    load_config(path)


def test_documented_example_states_the_defaults():
    example = load_config(ROOT / "configs" / "example.yaml")
    defaults = Config(shops=example.shops)
    assert example.model_dump() == defaults.model_dump()
