"""Wall-clock seconds per step of the demo load, printed by the command so a newcomer
sees where the minute goes ("patients 4.1 s, plans 0.6 s, …, total 52.3 s")."""

from __future__ import annotations

import time
from contextlib import contextmanager


class Phases:
	def __init__(self):
		self.started = time.perf_counter()
		self.seconds: dict[str, float] = {}

	@contextmanager
	def __call__(self, name: str):
		started = time.perf_counter()
		try:
			yield
		finally:
			self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

	def total(self) -> float:
		return time.perf_counter() - self.started

	def rounded(self) -> dict[str, float]:
		return {name: round(seconds, 1) for name, seconds in self.seconds.items()}


def phases_line(phases: dict[str, float], total: float) -> str:
	return ", ".join(f"{name} {seconds} s" for name, seconds in phases.items()) + f", total {total} s"
