"""Open spreadsheet files the way an import does, in a process with capped memory.

``python -m imports.tests.capped_reader CAP_MB FILE...`` sets ``RLIMIT_AS`` to
what the process uses once Django is set up plus CAP_MB, opens each file with
``readers.open_spreadsheet`` and reads its rows, and prints one JSON line per file:
``{"file": ..., "outcome": "opened" | "refused", "message": ...}``. If reading a
file needed more memory than the cap the process dies (or prints "memory"),
which the tests count as a failure.
"""

import json
import os
import resource
import sys
from pathlib import Path


def _address_space_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from imports.readers import FileRejected, open_spreadsheet

    cap = _address_space_bytes() + int(sys.argv[1]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    for path in map(Path, sys.argv[2:]):
        try:
            spreadsheet = open_spreadsheet(path.name, path.read_bytes())
            for sheet in spreadsheet.readable_sheet_names:
                sum(1 for _ in spreadsheet.rows(sheet))
            result = {"outcome": "opened", "message": ""}
        except FileRejected as exc:
            result = {"outcome": "refused", "message": exc.message}
        except MemoryError:
            result = {"outcome": "memory", "message": "the reader ran out of memory"}
        print(json.dumps({"file": path.name, **result}), flush=True)


if __name__ == "__main__":
    main()
