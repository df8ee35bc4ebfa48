"""Tests of simulators/uc/edge/, one module per module where it has its own."""
