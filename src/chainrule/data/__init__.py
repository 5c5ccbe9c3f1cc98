"""Datasets that work offline."""

from .synthetic import make_moons

__all__ = ["make_moons"]
