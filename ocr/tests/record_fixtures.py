"""Records what the engines read on corpus pages, for the parser tests to replay
without running an engine. Run again after changing the corpus, the engines or
the preprocessing:

    python -m ocr.tests.record_fixtures

Each file ``fixtures/LAYOUT.CONDITION.ENGINE.json`` holds the words as
``[text, conf, left, top, width, height, line]`` rows, as stored on a page.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# (layout, condition, engine): every layout clean with Tesseract, a few poor scans
# and PP-OCR readings.
RECORDED = [
    *(
        (layout, "clean-300", "tesseract")
        for layout in (
            "cards-2col",
            "cards-3col",
            "cards-desc-then-price",
            "cards-price-first",
            "leaders",
            "leaders-described",
            "one-line-gap",
            "price-forms",
            "price-before-name",
            "table-ruled-sku",
            "table-plain-sku",
            "table-grid",
            "mixed-fonts",
            "photo-of-list",
        )
    ),
    ("cards-2col", "degraded-300", "tesseract"),
    ("one-line-gap", "degraded-150", "tesseract"),
    ("table-ruled-sku", "degraded-300", "tesseract"),
    ("table-grid", "degraded-150", "tesseract"),
    ("photo-of-list", "degraded-300", "tesseract"),
    ("photo-of-list", "degraded-150", "tesseract"),
    ("cards-3col", "clean-300", "ppocr"),
    ("table-plain-sku", "clean-300", "ppocr"),
]
# Pages where Both once did worse than Tesseract alone (PP-OCR surer of a line it
# misread): both engines' words, for the merge tests.
RECORDED_FOR_MERGE = [
    ("cards-price-first", "clean-300"),
    ("table-ruled-sku", "degraded-300"),
    ("price-forms", "degraded-150"),
]
_KEYS = ("text", "conf", "left", "top", "width", "height", "line")


def fixture_path(layout: str, condition: str, engine: str) -> Path:
    return FIXTURES / f"{layout}.{condition}.{engine}.json"


def load(layout: str, condition: str, engine: str) -> list[dict]:
    rows = json.loads(fixture_path(layout, condition, engine).read_text())
    return [dict(zip(_KEYS, row, strict=True)) for row in rows]


def record() -> None:
    from ocr import engines
    from ocr.tests import corpus

    FIXTURES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        merge_pages = [
            (layout, condition, engine)
            for layout, condition in RECORDED_FOR_MERGE
            for engine in ("tesseract", "ppocr")
        ]
        for layout, condition, engine in dict.fromkeys([*RECORDED, *merge_pages]):
            page = corpus.page(layout, condition)
            words, _ = engines.read_image(page.image, engine, Path(workdir))
            rows = [[word[key] for key in _KEYS] for word in words]
            fixture_path(layout, condition, engine).write_text(
                "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"
            )
            print(f"{layout} {condition} {engine}: {len(rows)} words", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import django

    django.setup()
    record()
