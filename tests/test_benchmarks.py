"""`make bench` prints one line per figure that scripts can read."""

import re

import pytest

from benchmarks.report import Figure, Report

LINE = re.compile(r"^BENCH [a-z0-9_.]+ [0-9.]+ \S+ target (<|<=|>|>=) [0-9.]+ (met|MISSED)$")


@pytest.mark.parametrize(
    ("figure", "line"),
    [
        (
            Figure("dashboard.p95", 77.49, "ms", "<", 100),
            "BENCH dashboard.p95 77.5 ms target < 100 met",
        ),
        (
            Figure("evaluation.job", 3.2, "s", "<", 3),
            "BENCH evaluation.job 3.2 s target < 3 MISSED",
        ),
        (
            Figure("ceiling.rps", 812.4, "req/s", ">=", 150),
            "BENCH ceiling.rps 812 req/s target >= 150 met",
        ),
        (
            Figure("x.ratio", 0.25, "x_ceiling", ">=", 0.25),
            "BENCH x.ratio 0.25 x_ceiling target >= 0.25 met",
        ),
        (
            Figure("x.queries", 5, "queries", "<=", 4),
            "BENCH x.queries 5 queries target <= 4 MISSED",
        ),
    ],
)
def test_each_figure_is_one_line_with_its_target_and_verdict(figure, line):
    assert figure.line() == line
    assert LINE.match(figure.line())


def test_the_report_lists_what_was_missed(capsys):
    report = Report()
    report.add("a.p95", 50, "ms", "<", 100)
    report.add("b.p95", 150, "ms", "<", 100)
    assert [figure.name for figure in report.missed] == ["b.p95"]
    assert capsys.readouterr().out.splitlines() == [
        "BENCH a.p95 50 ms target < 100 met",
        "BENCH b.p95 150 ms target < 100 MISSED",
    ]
