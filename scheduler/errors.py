"""Errors raised for bad user input.

Every problem names where it is (file, row, column or config path) and what was expected.
The CLI turns an :class:`InputError` into one message on stderr and exit code 2.
"""

from __future__ import annotations


class InputError(Exception):
    """One or more problems with user input, each a full sentence naming where it is."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class OutputExistsError(InputError):
    """The output folder is not empty and --force was not given."""
