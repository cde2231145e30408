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


class WriteError(ReviewError, OSError):
    """A file could not be written (disk full, read-only, quota): names the file and the cause.

    Also an ``OSError`` (errno, strerror and filename set), so code that cleans up after a failed
    write on ``OSError`` still does."""

    def __init__(self, path: object, exc: OSError) -> None:
        import errno as errnos

        full = exc.errno in (errnos.ENOSPC, errnos.EDQUOT)
        why = "disk full" if full else (exc.strerror or str(exc))
        todo = "free some space" if full else "fix the cause"
        super().__init__(
            f"{path}: cannot write ({why}); this write was not saved (the file keeps what it "
            f"had). {todo[0].upper()}{todo[1:]} and run the command again."
        )
        self.errno = exc.errno
        self.strerror = why
        self.filename = str(path)
