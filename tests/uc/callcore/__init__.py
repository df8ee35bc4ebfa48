"""Tests of simulators/uc/callcore/, one module per module where it has its own."""
