"""Where the reader puts problems: one sink per file, each problem with the
file's name as the user gave it and a line, so one run reports all of them
(`path:line: error|warning: message`) instead of stopping at the first."""

from __future__ import annotations

from ..model import Diagnostic, Severity, SourceLocation


class Sink:
    def __init__(self, display: str):
        self.display = display  # the path as the user typed it: messages read `source/x.md:12`
        self.diagnostics: list[Diagnostic] = []

    def at(self, line: int) -> SourceLocation:
        return SourceLocation(self.display, line)

    def report(self, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.at(line), severity, message))

    def error(self, line: int, message: str) -> None:
        self.report(line, Severity.ERROR, message)

    def warn(self, line: int, message: str) -> None:
        self.report(line, Severity.WARNING, message)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
