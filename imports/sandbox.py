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
from collections.abc import Collection
from dataclasses import dataclass
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
    # (row index, cells up to the last filled one) for rows that hold something.
    rows: list[tuple[int, list[Any]]]


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
    try:
        # The command is ours; only the file's bytes, on standard input, come from the user.
        finished = subprocess.run(  # noqa: S603
            command, input=data, capture_output=True, timeout=seconds + 5, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise FileRejected(_too_slow(name, seconds)) from exc
    if finished.returncode == -signal.SIGXCPU:
        raise FileRejected(_too_slow(name, seconds))
    if finished.returncode < 0:
        # Killed: Rust aborts (SIGABRT) when an allocation past the cap fails.
        raise FileRejected(_too_big(name, memory_mb))
    if finished.returncode > 0:
        error = finished.stderr[-2000:].decode(errors="replace")
        logger.error("The workbook reader failed on %s: %s", name, error)
        raise FileRejected(f"{name} could not be read as {file_format}.")
    try:
        answer = _CellsOnly(io.BytesIO(finished.stdout)).load()
    except Exception as exc:  # a child that died while writing its answer
        raise FileRejected(f"{name} could not be read as {file_format}.") from exc
    if answer.get("error") == "memory":
        raise FileRejected(_too_big(name, memory_mb))
    if "error" in answer:
        raise FileRejected(f"{name} could not be read as {file_format}: {answer['error']}.")
    sheets = [SheetData(name=sheet, height=height, rows=rows) for sheet, height, rows in answer["sheets"]]
    return answer["sheet_names"], sheets


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
