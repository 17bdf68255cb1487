"""The one error a user meets for bad input: one line naming file, key path and what is allowed."""


class InputError(Exception):
    """Bad input from the user. The command line prints `str(err)` alone and exits with 2."""

    def __init__(self, source: str, message: str, key: str = "") -> None:
        self.source, self.key, self.message = source, key, message
        super().__init__(f"{source}: {key + ': ' if key else ''}{message}")
