"""The program a child process runs to read one workbook with calamine.

Run as ``python -I workbook_child.py MEMORY_BYTES CPU_SECONDS SKIP_JSON`` with the
file on standard input. It caps its own address space and CPU time before touching
the file, reads every sheet but those named in SKIP_JSON, and writes to standard
output a sequence of frames (a kind byte, ``R`` for rows and ``M`` for the rest, an
8-byte length, then a pickle): ``{"sheet_names":
[...]}``; for each sheet read ``("sheet", name, height)`` and then its rows,
``[(row index, cells), ...]`` up to ``ROWS_PER_FRAME`` a frame (the first one shorter), trailing empty cells
and empty rows left out; ``("end",)`` last. A failure at any point is the frame
``{"error": message}``. The reader in the worker keeps only where each sheet's
frames are, so it never holds a 100,000-row sheet at once.

A hostile file can make calamine allocate without bound or panic (a pyo3
``PanicException``, a ``BaseException``); here that costs this process, never the
web or task worker that started it (``imports/sandbox.py``). This file
imports only the standard library and calamine, so ``-I`` (no environment, no
current directory on the path) is enough to run it.
"""

import io
import json
import pickle
import resource
import sys


def _trimmed(cells: list) -> list:
    end = len(cells)
    while end and cells[end - 1] == "":
        end -= 1
    return cells[:end]


ROWS_PER_FRAME = 5000
FIRST_FRAME_ROWS = 100


def write_frame(stream, value, kind: bytes = b"M") -> None:
    frame = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(kind + len(frame).to_bytes(8, "little"))
    stream.write(frame)


def read_sheets(data: bytes, skip: set[str], stream) -> None:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    write_frame(stream, {"sheet_names": list(workbook.sheet_names)})
    for name in workbook.sheet_names:
        if name in skip:
            continue
        sheet = workbook.get_sheet_by_name(name)
        write_frame(stream, ("sheet", name, sheet.height))
        rows = []
        first = True
        for index, cells in enumerate(sheet.iter_rows()):
            kept = _trimmed(cells)
            if kept:
                rows.append((index, kept))
                # A short first frame: finding the header reads only that one.
                if len(rows) == (FIRST_FRAME_ROWS if first else ROWS_PER_FRAME):
                    first = False
                    write_frame(stream, rows, b"R")
                    rows = []
        if rows:
            write_frame(stream, rows, b"R")
    write_frame(stream, ("end",))


def main() -> None:
    memory_bytes, cpu_seconds, skip = int(sys.argv[1]), int(sys.argv[2]), set(json.loads(sys.argv[3]))
    # SIGXCPU at the soft CPU limit (the parent reports it as too slow), SIGKILL a second later.
    for limit, soft, hard in (
        (resource.RLIMIT_AS, memory_bytes, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
    ):
        # Never above a cap the parent already runs under.
        _, inherited = resource.getrlimit(limit)
        if inherited != resource.RLIM_INFINITY:
            soft, hard = min(soft, inherited), min(hard, inherited)
        resource.setrlimit(limit, (soft, hard))
    data = sys.stdin.buffer.read()
    try:
        read_sheets(data, skip, sys.stdout.buffer)
    except MemoryError:
        write_frame(sys.stdout.buffer, {"error": "memory"})
    except BaseException as exc:  # calamine's panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        write_frame(sys.stdout.buffer, {"error": f"{type(exc).__name__}: {exc}"[:500]})


if __name__ == "__main__":
    main()
