"""review: a command-line pipeline for scoping and systematic reviews."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # The version comes from one place (pyproject.toml, via the installed metadata) and is read
    # lazily: importlib.metadata costs tens of milliseconds that `--help` should not pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("review")
        except PackageNotFoundError:  # pragma: no cover - source tree without install
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'review' has no attribute {name!r}")
