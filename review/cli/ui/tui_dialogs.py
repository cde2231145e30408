"""The full-screen screener's pop-ups (Textual): a one-line prompt, the reopen confirmation and
the exclusion-reason list. Imported only with review/cli/ui/tui.py."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from review.io.printable import printable


class PromptScreen(ModalScreen[str | None]):
    """A one-line text prompt (note, search). Enter submits, Escape cancels."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 80%; height: auto; border: round $accent; padding: 0 1;
                              background: $surface; }
    """

    def __init__(self, label: str, value: str = "") -> None:
        super().__init__()
        self.label = label
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.label)
            yield Input(value=self.value, id="prompt")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReopenScreen(PromptScreen):
    """Confirm a change to a finished record: what it undoes, and the reason to reopen it
    (styled as the prompt it extends)."""

    def __init__(self, undo: str) -> None:
        super().__init__(
            f"Careful: {escape(printable(undo))}.\nType the reason to reopen it and press Enter "
            "(Escape cancels; nothing is saved):"
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class ReasonScreen(ModalScreen[str | None]):
    """Pick an exclusion reason from the protocol's list."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ReasonScreen { align: center middle; }
    ReasonScreen > Vertical { width: 70%; height: auto; max-height: 80%; border: round $error;
                              background: $surface; }
    """

    def __init__(self, reasons: list[tuple[str, str]]) -> None:
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Exclude because… (Enter to choose, Escape to cancel)")
            yield OptionList(
                *[
                    f"{i}. {escape(printable(label))}"
                    for i, (_id, label) in enumerate(self.reasons, 1)
                ],
                id="reasons",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
