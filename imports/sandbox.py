"""Reading a workbook in a child process with capped memory and time.

calamine is fast, but a crafted file can make it allocate gigabytes or panic, and
in the web worker either would kill the worker (Rust aborts on a failed allocation).
So the parse runs in ``workbook_child.py`` under ``RLIMIT_AS`` and ``RLIMIT_CPU``
(``IMPORT_READER_MEMORY_MB``, ``IMPORT_READER_SECONDS``) and a wall-clock timeout;
whatever happens there comes back as a ``FileRejected`` (a 400), and the worker
goes on. What comes back is only the cells that hold something, so the worker's
memory follows the data, not the sheet's range.
"""

import io
import json
import logging
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from imports.errors import FileRejected

logger = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("workbook_child.py")
# What the child's answer may contain besides built-in types.
_ALLOWED_CLASSES = {("datetime", cls.__name__): cls for cls in (date, datetime, time, timedelta)}


@dataclass
class SheetData:
    name: str
    height: int
    # The child's answer, spooled to a file, and where this sheet's row frames are
    # in it (offset, length): the rows are read from there each time they are wanted.
    _answer: Any = field(repr=False)
    _frames: list[tuple[int, int]] = field(repr=False)
    _file_name: str = ""

    @property
    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row index, cells up to the last filled one) for rows that hold something."""
        for offset, length in self._frames:
            self._answer.seek(offset)
            try:
                rows = _CellsOnly(io.BytesIO(self._answer.read(length))).load()
            except Exception as exc:
                raise FileRejected(f"{self._file_name} could not be read.") from exc
            yield from rows


class _CellsOnly(pickle.Unpickler):
    """The child read a hostile file: load nothing from it but data and dates."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_CLASSES[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value") from None


def read_workbook(
    name: str, data: bytes, file_format: str, *, skip: Collection[str] = ()
) -> tuple[list[str], list[SheetData]]:
    """(every sheet name, the sheets read) of ``data`` (xlsx, xls or ods), read in a
    capped child process; the sheets named in ``skip`` are not read."""
    memory_mb = settings.IMPORT_READER_MEMORY_MB
    seconds = settings.IMPORT_READER_SECONDS
    command = [
        sys.executable,
        "-I",
        str(CHILD),
        str(memory_mb * 1024 * 1024),
        str(seconds),
        json.dumps(sorted(skip)),
    ]
    # Spooled to a file: a 100,000-row answer is never in the worker's memory at once.
    answer = tempfile.TemporaryFile()  # noqa: SIM115 - kept open by the sheets read from it
    try:
        # The command is ours; only the file's bytes, on standard input, come from the user.
        finished = subprocess.run(  # noqa: S603
            command, input=data, stdout=answer, stderr=subprocess.PIPE, timeout=seconds + 5, check=False
        )
    except subprocess.TimeoutExpired as exc:
        answer.close()
        raise FileRejected(_too_slow(name, seconds)) from exc
    try:
        return _answer_of(name, file_format, finished, answer, memory_mb, seconds)
    except FileRejected:
        answer.close()
        raise


def _answer_of(name, file_format, finished, answer, memory_mb: int, seconds: int):
    if finished.returncode == -signal.SIGXCPU:
        raise FileRejected(_too_slow(name, seconds))
    if finished.returncode < 0:
        # Killed: Rust aborts (SIGABRT) when an allocation past the cap fails.
        raise FileRejected(_too_big(name, memory_mb))
    if finished.returncode > 0:
        error = finished.stderr[-2000:].decode(errors="replace")
        logger.error("The workbook reader failed on %s: %s", name, error)
        raise FileRejected(f"{name} could not be read as {file_format}.")
    sheet_names: list[str] | None = None
    sheets: list[SheetData] = []
    answer.seek(0)
    try:
        while True:
            head = answer.read(9)
            kind, length = head[:1], int.from_bytes(head[1:], "little")
            if kind == b"R" and sheets:
                sheets[-1]._frames.append((answer.tell(), length))
                answer.seek(length, io.SEEK_CUR)
                continue
            if kind != b"M":
                raise ValueError(f"frame {kind!r}")
            frame = _CellsOnly(io.BytesIO(answer.read(length))).load()
            if isinstance(frame, dict) and "error" in frame:
                break
            if isinstance(frame, dict):
                sheet_names = frame["sheet_names"]
            elif frame[0] == "sheet":
                sheets.append(SheetData(frame[1], frame[2], answer, [], name))
            elif frame[0] == "end" and sheet_names is not None:
                return sheet_names, sheets
            else:
                raise ValueError(f"frame {frame!r}")
    except Exception as exc:  # a child that died while writing its answer
        raise FileRejected(f"{name} could not be read as {file_format}.") from exc
    if frame["error"] == "memory":
        raise FileRejected(_too_big(name, memory_mb))
    raise FileRejected(f"{name} could not be read as {file_format}: {frame['error']}.")


def _too_big(name: str, memory_mb: int) -> str:
    return (
        f"{name} needs more than the {memory_mb:,} MB of memory a spreadsheet may use to be read; "
        "it is damaged or built to exhaust the server. Save it again from your spreadsheet app."
    )


def _too_slow(name: str, seconds: int) -> str:
    return (
        f"{name} took longer than the {seconds} seconds a spreadsheet may take to read; "
        "it is damaged or built to exhaust the server. Save it again from your spreadsheet app."
    )
