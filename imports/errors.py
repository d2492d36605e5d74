"""The error every check of an uploaded spreadsheet raises."""


class FileRejected(Exception):
    """The whole file cannot be imported; ``message`` says why, naming the file."""

    def __init__(
        self, message: str, *, row: int | None = None, column: str | None = None, read_with_ocr: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        # The file is a document the OCR page reads (a PDF), not a spreadsheet.
        self.read_with_ocr = read_with_ocr
