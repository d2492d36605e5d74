"""The error every check of an uploaded spreadsheet raises."""


class FileRejected(Exception):
    """The whole file cannot be imported; ``message`` says why, naming the file."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
