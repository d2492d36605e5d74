"""The program a child process runs to read one workbook with calamine.

Run as ``python -I workbook_child.py MEMORY_BYTES CPU_SECONDS SKIP_JSON`` with the
file on standard input. It caps its own address space and CPU time before touching
the file, reads every sheet but those named in SKIP_JSON, and writes one pickle to
standard output: ``{"sheet_names": [...], "sheets": [(name, height, [(row index,
cells), ...]), ...]}`` with trailing empty cells and empty rows left out, or
``{"error": message}``.

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


def read_sheets(data: bytes, skip: set[str]) -> dict:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in workbook.sheet_names:
        if name in skip:
            continue
        sheet = workbook.get_sheet_by_name(name)
        rows = []
        for index, cells in enumerate(sheet.iter_rows()):
            kept = _trimmed(cells)
            if kept:
                rows.append((index, kept))
        sheets.append((name, sheet.height, rows))
    return {"sheet_names": list(workbook.sheet_names), "sheets": sheets}


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
        result = read_sheets(data, skip)
    except MemoryError:
        result = {"error": "memory"}
    except BaseException as exc:  # calamine's panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
