"""Exceptions that stop start-up: they always say which file, where in it, and what is wrong."""

from __future__ import annotations


class NewsmonError(Exception):
    """Base class for errors newsmon reports to the user without a traceback."""


class ConfigError(NewsmonError):
    """A rule, knowledge-base or settings file is invalid.

    The message has the form ``FILE:LINE: [place] what is wrong`` so that an editor can jump to it.
    """

    def __init__(self, path: str, line: int | None, place: str, problem: str) -> None:
        self.path = path
        self.line = line
        self.place = place
        self.problem = problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: [{place}] {problem}")


class BrokerError(NewsmonError):
    """The local Kafka broker could not be assembled, started or reached."""


class ConfigErrors(NewsmonError):
    """Several problems in one file, reported together so that one edit can fix them all."""

    def __init__(self, problems: list[ConfigError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
