"""The interactive front ends (Rich, Textual): the full-screen screener (``tui``, its dialogs
and full-text pane), the plain line screener (``lineui``), the side-by-side dedup review
(``review_ui``) and the one table of their keys (``keys``). The screening logic they drive
(session, queue, decisions) stays in :mod:`review.screen`; nothing here is imported at CLI
start-up."""
