"""Errors the library raises. The CLI turns every ReviewError into a short message and exit 1."""

from __future__ import annotations

from collections.abc import Sequence

from review.nextstep import NextStep, Part, Render, Text, plain, steps_in


class ReviewError(Exception):
    """A user-facing problem: the message says what is wrong and what to do next.

    ``message`` is plain text, or a :data:`~review.nextstep.Text` whose
    :class:`~review.nextstep.NextStep` parts name what to do next as data; a front end spells
    them with :meth:`render` (the CLI: ``review/cli/commands.py``), ``str()`` without one."""

    def __init__(self, message: str | Sequence[Part]) -> None:
        self.parts: Text = (message,) if isinstance(message, str) else tuple(message)
        self.message = plain(self.parts)
        super().__init__(self.message)

    @property
    def next_steps(self) -> tuple[NextStep, ...]:
        """What the message says to do next, in reading order (empty: nothing to run)."""
        return steps_in(self.parts)

    def render(self, command: Render) -> str:
        """The message with each next step spelled by ``command``."""
        return plain(self.parts, command)

    def __str__(self) -> str:
        return self.message


class ProjectError(ReviewError):
    """The project folder is missing, incomplete or inconsistent."""


class InputError(ReviewError):
    """A file given by the user cannot be used. Names the file (and line, when known)."""

    def __init__(
        self, message: str | Sequence[Part], *, file: str | None = None, line: int | None = None
    ) -> None:
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        parts = (message,) if isinstance(message, str) else tuple(message)
        super().__init__((where, *parts) if where else parts)
        self.file = file
        self.line = line


class ValidationError(ReviewError):
    """Several problems found while validating one input; nothing was written.

    ``problems`` lists one line per problem (e.g. ``Reports!C4: unknown value 'USA.'``).
    """

    def __init__(
        self, summary: str | Sequence[Part], problems: Sequence[str | Sequence[Part]]
    ) -> None:
        parts = (summary,) if isinstance(summary, str) else tuple(summary)
        for p in problems:
            parts += ("\n  ",) + ((p,) if isinstance(p, str) else tuple(p))
        super().__init__(parts)
        self.summary = plain(parts[:1] if isinstance(summary, str) else tuple(summary))
        self.problems = [plain(p) for p in problems]


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
