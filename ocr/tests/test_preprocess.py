import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import preprocess
from ocr.tests import corpus


def _ink_rows(image: Image.Image) -> int:
    """How many pixel rows hold ink: fewest when the text lies level."""
    return int((np.asarray(image.convert("L")) < 128).any(axis=1).sum())


@pytest.mark.parametrize("angle", [-2.5, 1.2, 3.0])
def test_deskew_turns_the_page_level(angle):
    level = corpus.page("one-line-gap", "clean-300").image
    turned = level.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    assert preprocess._skew_degrees(np.asarray(turned)) == pytest.approx(-angle, abs=0.2)
    cleaned, shown = preprocess.prepare(turned, ("deskew",))
    assert cleaned.size == shown.size == turned.size
    assert _ink_rows(shown) <= 1.05 * _ink_rows(level) < _ink_rows(turned)


def test_a_level_page_is_left_as_it_is():
    level = corpus.page("cards-2col", "clean-300").image
    _, shown = preprocess.prepare(level, ("deskew",))
    assert np.array_equal(np.asarray(shown), np.asarray(level))


def test_binarising_is_kept_for_unevenly_lit_pages():
    scan = corpus.page("cards-2col", "degraded-300").image
    photo = corpus.page("photo-of-list", "clean-300").image
    assert not preprocess._unevenly_lit(np.asarray(scan))
    assert preprocess._unevenly_lit(np.asarray(photo))
    cleaned, _ = preprocess.prepare(photo, ("binarise",))
    assert set(np.unique(np.asarray(cleaned))) <= {0, 255}
    cleaned, _ = preprocess.prepare(scan, ("binarise",))
    assert len(np.unique(np.asarray(cleaned))) > 2


def test_a_small_photo_is_scaled_up_before_binarising_and_a_small_scan_is_not():
    photo = corpus.page("photo-of-list", "clean-150").image
    scan = corpus.page("cards-2col", "degraded-150").image
    cleaned, shown = preprocess.prepare(photo, ("binarise",))
    assert cleaned.size == shown.size == (photo.width * 2, photo.height * 2)
    cleaned, shown = preprocess.prepare(scan, ("binarise",))
    assert cleaned.size == shown.size == scan.size


def _line_with_leader() -> Image.Image:
    image = Image.new("L", (1400, 120), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(f"{corpus.FONT_DIR}/DejaVuSans.ttf", 46)
    draw.text((20, 30), "Lamp", font=font, fill=0)
    draw.text((200, 30), " ." * 30, font=font, fill=0)
    draw.text((1150, 30), "$4.50", font=font, fill=0)
    return image


def test_leader_dots_are_painted_out_but_a_prices_full_stop_stays():
    image = _line_with_leader()
    cleaned, _ = preprocess.prepare(image, ("leaders",))
    pixels = np.asarray(cleaned)
    assert (pixels[:, 200:1100] < 128).sum() == 0
    # "Lamp" and "$4.50" (its full stop included) are untouched.
    assert np.array_equal(pixels[:, :200], np.asarray(image)[:, :200])
    assert np.array_equal(pixels[:, 1140:], np.asarray(image)[:, 1140:])


def test_ruling_lines_are_painted_out_and_text_stays():
    image = Image.new("L", (1600, 300), 255)
    draw = ImageDraw.Draw(image)
    draw.line((20, 150, 1580, 150), fill=0, width=4)
    draw.line((800, 10, 800, 290), fill=0, width=3)
    draw.text((40, 60), "Widget", font=ImageFont.truetype(f"{corpus.FONT_DIR}/DejaVuSans.ttf", 50), fill=0)
    cleaned, _ = preprocess.prepare(image, ("rules",))
    pixels = np.asarray(cleaned)
    assert (pixels[150] < 128).sum() == 0 and (pixels[:, 800] < 128).sum() == 0
    assert (pixels[60:120, 40:250] < 128).sum() > 500


def test_unknown_steps_are_refused():
    with pytest.raises(ValueError, match="Unknown preprocessing steps"):
        preprocess.prepare(Image.new("L", (10, 10), 255), ("sharpen",))
