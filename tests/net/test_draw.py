"""Topology pictures and summaries."""

from __future__ import annotations

from simulators.net import draw, loader


def test_summary_names_every_part() -> None:
    text = draw.summary(loader.load("home_vpn"))
    for part in ("office_router", "NAT port-restricted-cone", "office_vpn", "10.8.0.2", "192.0.2.10, 192.0.2.11"):
        assert part in text


def test_svg_renders_with_graphviz() -> None:
    svg = draw.svg(loader.load("home_internet")).decode()
    assert svg.lstrip().startswith("<?xml")
    assert "fwd tcp/8802 &#45;&gt; 192.168.1.30:8802" in svg
