"""The OCR engines, each giving the same words: ``{"text", "conf" (0–100), "left",
"top", "width", "height", "line"}`` in pixels of the image it read.

- Tesseract (``pytesseract``): words grouped by (block, paragraph, line).
- PP-OCR (``rapidocr-onnxruntime``: PaddleOCR's detection and recognition models as
  ONNX, shipped inside the wheel, so nothing is downloaded): text lines with a box
  per character, cut into words at the spaces.
- Both: each PP-OCR line against the Tesseract words inside it: Tesseract's reading
  unless it is unsure of it and PP-OCR is surer; what only one engine saw is kept too.

A process loads PP-OCR's models once (``ppocr_engine``); Tesseract is a command.
"""

import functools
from pathlib import Path
from statistics import mean

import numpy as np
import pytesseract
from django.conf import settings
from PIL import Image

from ocr import preprocess
from ocr.pages import PageTimeout

TESSERACT = "tesseract"
PPOCR = "ppocr"
BOTH = "both"
CHOICES = ((TESSERACT, "Tesseract"), (PPOCR, "PP-OCR"), (BOTH, "Both (merged by confidence)"))
# Tesseract's mean confidence (0–100) on a line from which Both keeps its reading
# whatever PP-OCR's: on the corpus any mark from 50 to 80 gave the same pairs
# (bench/ocr_accuracy.py), 90 lost a line of leaders PP-OCR read right.
TESSERACT_SURE = 70


def tesseract_words(page: Path) -> list[dict]:
    try:
        data = pytesseract.image_to_data(
            str(page), output_type=pytesseract.Output.DICT, timeout=settings.OCR_PAGE_TIMEOUT_SECONDS
        )
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise PageTimeout(f"Tesseract took longer than {settings.OCR_PAGE_TIMEOUT_SECONDS} s.") from exc
        raise
    return words_from_tesseract(data)


def words_from_tesseract(data: dict) -> list[dict]:
    """``image_to_data``'s columns as a list of recognised words."""
    words = []
    for position, text in enumerate(data["text"]):
        text = str(text).strip()
        if not text:
            continue
        words.append(
            {
                "text": text,
                "conf": round(float(data["conf"][position]), 1),
                "left": int(data["left"][position]),
                "top": int(data["top"][position]),
                "width": int(data["width"][position]),
                "height": int(data["height"][position]),
                "line": [
                    int(data["block_num"][position]),
                    int(data["par_num"][position]),
                    int(data["line_num"][position]),
                ],
            }
        )
    return words


@functools.cache
def ppocr_engine():
    """PP-OCR, loaded once per process (its three models take a while to load)."""
    from rapidocr_onnxruntime import RapidOCR

    threads = settings.OCR_PPOCR_THREADS
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False)


def _box(points) -> tuple[int, int, int, int]:
    xs = [float(point[0]) for point in points]
    ys = [float(point[1]) for point in points]
    return int(min(xs)), int(min(ys)), int(max(xs) - min(xs)), int(max(ys) - min(ys))


def ppocr_words(page: Path) -> list[dict]:
    with Image.open(page) as image:
        pixels = np.asarray(image.convert("RGB"))
    result, _ = ppocr_engine()(pixels, return_word_box=True)
    words: list[dict] = []
    for number, (line_box, text, score, *chars) in enumerate(result or []):
        char_boxes, char_texts, char_scores = chars if len(chars) == 3 else ([], [], [])
        # Characters of each word, cut at the spaces; no boxes: the line cut evenly.
        if len(char_boxes) != len(char_texts) or not char_texts:
            left, top, width, height = _box(line_box)
            char_texts = list(text)
            char_boxes = [
                [[left + width * i / len(text), top], [left + width * (i + 1) / len(text), top + height]]
                for i in range(len(text))
            ]
            char_scores = [score] * len(text)
        for current in _word_runs(char_texts):
            points = [point for i in current for point in char_boxes[i]]
            left, top, width, height = _box(points)
            _, line_top, _, line_height = _box(line_box)
            words.append(
                {
                    "text": "".join(char_texts[i] for i in current),
                    "conf": round(100 * mean(float(char_scores[i]) for i in current), 1),
                    "left": left,
                    "top": line_top,
                    "width": max(width, 1),
                    "height": line_height,
                    "line": [0, 0, number],
                }
            )
    return words


def _word_runs(characters: list[str]) -> list[list[int]]:
    """The positions of each word's characters. PP-OCR often leaves out the space
    between words on a small or blurred page (``CeramicRouter``), so a word is
    also cut where a capital and a small letter follow two small letters; ``iPhone``
    and ``McKinley`` stay whole."""
    runs: list[list[int]] = [[]]
    for position, character in enumerate(characters):
        if not character.strip():
            runs.append([])
            continue
        run = runs[-1]
        following = characters[position + 1] if position + 1 < len(characters) else ""
        if (
            len(run) >= 3
            and character.isupper()
            and following.islower()
            and all(characters[i].islower() for i in run[-2:])
        ):
            runs.append([])
        runs[-1].append(position)
    return [run for run in runs if run]


def _letters(words: list[dict]) -> str:
    return "".join("".join(word["text"] for word in words).split()).lower()


def _centre_inside(word: dict, box: tuple[int, int, int, int]) -> bool:
    x = word["left"] + word["width"] / 2
    y = word["top"] + word["height"] / 2
    left, top, right, bottom = box
    return left <= x <= right and top <= y <= bottom


def merge_words(tesseract: list[dict], ppocr: list[dict]) -> list[dict]:
    """Line by line, Tesseract's reading unless it is unsure of the line and PP-OCR
    is surer; where both read the same letters, Tesseract's words (PP-OCR may have
    run two of them together). The two engines' confidences are not on one scale:
    PP-OCR gives 94 % to a `£` it read as `f` where Tesseract, right, gives 92 %,
    so taking the higher mean put PP-OCR's misreadings into lines Tesseract had
    right (price-first cards, a ruled table: Both 70–83 % where Tesseract read 100 %)."""
    lines: dict[int, list[dict]] = {}
    for word in ppocr:
        lines.setdefault(word["line"][2], []).append(word)
    merged: list[dict] = []
    taken: set[int] = set()
    for line_words in lines.values():
        box = (
            min(w["left"] for w in line_words),
            min(w["top"] for w in line_words),
            max(w["left"] + w["width"] for w in line_words),
            max(w["top"] + w["height"] for w in line_words),
        )
        inside = [i for i, word in enumerate(tesseract) if i not in taken and _centre_inside(word, box)]
        taken.update(inside)
        if not inside:
            merged += line_words
            continue
        tesseract_line = [tesseract[i] for i in inside]
        tesseract_conf = mean(word["conf"] for word in tesseract_line)
        ppocr_conf = mean(w["conf"] for w in line_words)
        if (
            tesseract_conf >= TESSERACT_SURE
            or tesseract_conf >= ppocr_conf
            # The same letters: Tesseract's reading, which has the spaces.
            or _letters(tesseract_line) == _letters(line_words)
        ):
            merged += tesseract_line
        else:
            merged += line_words
    merged += [word for i, word in enumerate(tesseract) if i not in taken]
    return merged


def read_image(
    image: Image.Image, engine: str, workdir: Path, steps=preprocess.DEFAULT_STEPS
) -> tuple[list[dict], Image.Image]:
    """The words on a page image after the preprocessing ``steps``, and the image
    they are placed on (turned and scaled as the engine read it) for the seller."""
    cleaned, shown = preprocess.prepare(image, steps)
    path = Path(workdir) / "prepared.pgm"
    cleaned.save(path, format="PPM")
    try:
        return read_words(path, engine), shown
    finally:
        path.unlink(missing_ok=True)


def read_words(page: Path, engine: str) -> list[dict]:
    """The words on a page image file, by ``engine`` (TESSERACT, PPOCR or BOTH)."""
    if engine == TESSERACT:
        return tesseract_words(page)
    if engine == PPOCR:
        return ppocr_words(page)
    if engine == BOTH:
        return merge_words(tesseract_words(page), ppocr_words(page))
    raise ValueError(f"Unknown OCR engine {engine!r}")
