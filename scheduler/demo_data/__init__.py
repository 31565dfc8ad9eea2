"""Bundled demo data: history, team, requests and config (regenerate with scripts/make_demo_data.py)."""
