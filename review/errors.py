"""Errors the library raises. The CLI turns every ReviewError into a short message and exit 1."""

from __future__ import annotations


class ReviewError(Exception):
    """A user-facing problem: the message says what is wrong and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ProjectError(ReviewError):
    """The project folder is missing, incomplete or inconsistent."""


class InputError(ReviewError):
    """A file given by the user cannot be used. Names the file (and line, when known)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(where + message)
        self.file = file
        self.line = line


class ValidationError(ReviewError):
    """Several problems found while validating one input; nothing was written.

    ``problems`` lists one line per problem (e.g. ``Reports!C4: unknown value 'USA.'``).
    """

    def __init__(self, summary: str, problems: list[str]) -> None:
        text = summary
        if problems:
            text += "\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(text)
        self.summary = summary
        self.problems = list(problems)
