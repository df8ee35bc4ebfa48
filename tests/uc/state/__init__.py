"""Tests of simulators/uc/state/, one module per module where it has its own."""
