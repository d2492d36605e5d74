"""Cleaning a page image before an engine reads it. Each step is kept only where the
accuracy benchmark (``bench/ocr_accuracy.py``) shows it helps the degraded pages
and costs nothing on the clean ones; ``docs/ocr.md`` has the figures.

``prepare`` returns two images of the same geometry: the one the engine reads
(cleaned) and the one the seller sees on the review page (only turned and scaled,
so the word boxes fall on it).
"""

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

# Text this small (a page narrower than this, in pixels) is scaled up twice: a
# letter page at 150 dpi or less, a small photo.
SMALL_PAGE_WIDTH = 1800
MAX_SKEW_DEGREES = 5.0
# Lines at least this share of the page's width (or height) are ruling lines.
RULE_SHARE = 1 / 25

# How much darker than its surroundings a pixel must be to be ink (0–255): above
# the grain of paper, JPEG blocks and blur.
BINARISE_OFFSET = 30

# The paper's brightness varying by more than this (0–255) across the page calls
# for binarising by neighbourhood; evenly lit pages are left to the engine.
UNEVEN_LIGHT = 40
# A run of this many evenly spaced specks is a dotted leader.
LEADER_DOTS = 5

STEPS = ("denoise", "dpi", "deskew", "binarise", "leaders", "rules")
# What the worker runs: see docs/ocr.md for why these.
DEFAULT_STEPS = ("denoise", "deskew", "binarise", "leaders", "rules")


def _scale_up(grey: np.ndarray) -> np.ndarray:
    height, width = grey.shape
    if width >= SMALL_PAGE_WIDTH:
        return grey
    return cv2.resize(grey, (width * 2, height * 2), interpolation=cv2.INTER_CUBIC)


def _skew_degrees(grey: np.ndarray) -> float:
    """The angle that makes the text's rows the most sharply separated (the
    variance of the row sums), searched coarse then fine on a small copy."""
    height, width = grey.shape
    factor = 1000 / max(width, 1)
    small = cv2.resize(grey, (1000, max(1, int(height * factor))), interpolation=cv2.INTER_AREA)
    # Ink by the light around it, so a shadow across a photo is no row of text.
    ink = (_binarise(small) == 0).astype(np.float32)
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(ink, matrix, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_NEAREST)
        return float(np.var(turned.sum(axis=1)))

    best = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5), key=sharpness)
    return float(max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness))


def _rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(
        grey, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def _binarise(grey: np.ndarray) -> np.ndarray:
    """Ink or paper by the light around each pixel, so a shadow or a dark corner
    does not turn into a black patch."""
    block = max(15, (grey.shape[1] // 60) | 1)
    return cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, BINARISE_OFFSET
    )


def _unevenly_lit(grey: np.ndarray) -> bool:
    """Whether the paper's brightness varies across the page (a photo's shadow or
    vignette): the page shrunk until text is a grey haze, then its brightest
    neighbourhoods (the paper) compared."""
    height, width = grey.shape
    step = max(1, width // 512)
    small = cv2.resize(
        grey[::step, ::step], (64, max(1, 64 * height // max(width, 1))), interpolation=cv2.INTER_AREA
    )
    paper = cv2.dilate(small, np.ones((5, 5), np.uint8))
    return float(np.percentile(paper, 95) - np.percentile(paper, 5)) > UNEVEN_LIGHT


def _erase_leaders(grey: np.ndarray) -> np.ndarray:
    """Dotted leaders painted out: a row of at least ``LEADER_DOTS`` small, evenly
    spaced specks at one height. Tesseract reads them as letters stuck to the title
    before them; a lone full stop (in a price) is no run and stays."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < LEADER_DOTS:
        return grey
    # The letters' height, from the taller marks only: specks must not drag it down.
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    text_height = float(np.median(heights[heights >= 0.5 * np.percentile(heights, 95)]))
    limit = 0.35 * text_height
    dots = [
        index
        for index in range(1, count)
        if stats[index, cv2.CC_STAT_WIDTH] <= limit and stats[index, cv2.CC_STAT_HEIGHT] <= limit
    ]
    dots.sort(
        key=lambda index: (round(centroids[index][1] / max(1.0, 0.25 * text_height)), centroids[index][0])
    )
    erase: list[int] = []
    run: list[int] = []
    for index in [*dots, None]:
        if run and index is not None:
            previous = run[-1]
            gap = centroids[index][0] - centroids[previous][0]
            same_height = abs(centroids[index][1] - centroids[previous][1]) <= 0.25 * text_height
            spacing = (centroids[run[1]][0] - centroids[run[0]][0]) if len(run) > 1 else gap
            if same_height and 0 < gap <= 2.5 * text_height and 0.6 * spacing <= gap <= 1.6 * spacing:
                run.append(index)
                continue
        if len(run) >= LEADER_DOTS:
            erase += run
        run = [index] if index is not None else []
    if not erase:
        return grey
    cleaned = grey.copy()
    height, width = grey.shape
    for index in erase:
        # The dot's box and the blur around it, which the threshold left out.
        left, top, box_width, box_height = stats[index, :4]
        cleaned[
            max(0, top - 2) : min(height, top + box_height + 2),
            max(0, left - 2) : min(width, left + box_width + 2),
        ] = 255
    return cleaned


def _remove_rules(image: np.ndarray) -> np.ndarray:
    """Table borders and rules painted out: they make Tesseract take a whole table
    for a picture."""
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    height, width = ink.shape
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, int(width * RULE_SHARE)), 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, int(height * RULE_SHARE))))
    )
    rules = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    cleaned = image.copy()
    cleaned[rules > 0] = 255
    return cleaned


def prepare(image: Image.Image, steps: Sequence[str] = DEFAULT_STEPS) -> tuple[Image.Image, Image.Image]:
    """(what the engine reads, what the seller sees), both greyscale."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"Unknown preprocessing steps: {sorted(unknown)}")
    grey = np.asarray(image.convert("L"))
    # Specks are taken out before scaling makes them too big for the filter.
    if "denoise" in steps:
        grey = cv2.medianBlur(grey, 3)
    # A photo (unevenly lit) is binarised; a small one is scaled up first, or the
    # threshold cuts its letters down to a few pixels and "l" reads as "i".
    uneven = "binarise" in steps and _unevenly_lit(grey)
    if "dpi" in steps or uneven:
        grey = _scale_up(grey)
    if "deskew" in steps:
        angle = _skew_degrees(grey)
        if abs(angle) >= 0.2:
            grey = _rotate(grey, angle)
    shown = grey
    if uneven:
        grey = _binarise(grey)
    if "leaders" in steps:
        grey = _erase_leaders(grey)
    if "rules" in steps:
        grey = _remove_rules(grey)
    return Image.fromarray(grey), Image.fromarray(shown)
