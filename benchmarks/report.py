"""Figures and their targets, printed one per line for scripts to read:

BENCH <name> <value> <unit> target <op> <target> met|MISSED
"""

import operator
from dataclasses import dataclass

COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    op: str
    target: float

    @property
    def met(self) -> bool:
        return COMPARE[self.op](self.value, self.target)

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return (
            f"BENCH {self.name} {_number(self.value)} {self.unit} "
            f"target {self.op} {_number(self.target)} {verdict}"
        )


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.2f}"


class Report:
    """Collects figures and prints each as soon as it is measured."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def add(self, name: str, value: float, unit: str, op: str, target: float) -> Figure:
        figure = Figure(name, value, unit, op, target)
        self.figures.append(figure)
        print(figure.line(), flush=True)
        return figure

    @property
    def missed(self) -> list[Figure]:
        return [figure for figure in self.figures if not figure.met]
