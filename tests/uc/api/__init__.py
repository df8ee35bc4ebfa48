"""Tests of simulators/uc/api/, one module per module where it has its own."""
