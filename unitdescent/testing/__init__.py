"""Test problems shared by the test suite, the examples and the benchmarks."""

from .problems import PROBLEMS, TestProblem, get

__all__ = ["PROBLEMS", "TestProblem", "get"]
