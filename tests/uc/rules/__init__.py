"""Tests of simulators/uc/rules/, one module per module where it has its own."""
