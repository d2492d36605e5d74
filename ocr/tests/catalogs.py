"""Product catalogs drawn with Pillow and the DejaVu font, with the items they show.

Tests and ``bench/ocr.py`` read these with real Tesseract and compare what the
parser found against the known titles and prices.
"""

import io
import random
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
DPI = 300
# US Letter at 300 dpi: what pdf2image renders a Pillow-saved PDF page back to.
PAGE_SIZE = (2550, 3300)

_NOUNS = [
    "Lamp",
    "Kettle",
    "Blender",
    "Toaster",
    "Chair",
    "Stool",
    "Mirror",
    "Clock",
    "Basket",
    "Shelf",
    "Drill",
    "Wrench",
    "Hammer",
    "Ladder",
    "Bucket",
    "Helmet",
    "Backpack",
    "Tent",
    "Lantern",
    "Cooler",
    "Skillet",
    "Teapot",
    "Vase",
    "Rug",
    "Pillow",
    "Blanket",
    "Speaker",
    "Keyboard",
    "Monitor",
    "Router",
]
_ADJECTIVES = [
    "Brass",
    "Walnut",
    "Steel",
    "Bamboo",
    "Ceramic",
    "Cotton",
    "Vintage",
    "Compact",
    "Folding",
    "Copper",
    "Marble",
    "Leather",
    "Wooden",
    "Glass",
    "Wireless",
]
_DETAILS = [
    "Hand finished, ships flat",
    "Fits most standard sizes",
    "Includes two spare parts",
    "Gently used, works well",
    "Bright colors, easy to clean",
    "Made from recycled material",
]


@dataclass(frozen=True)
class Item:
    title: str
    price: Decimal
    description: str = ""


def make_items(count: int, *, seed: int = 1) -> list[Item]:
    """``count`` distinct items with prices from 3.00 to 1,499.99."""
    rng = random.Random(seed)
    titles = [f"{adjective} {noun}" for adjective in _ADJECTIVES for noun in _NOUNS]
    rng.shuffle(titles)
    items = []
    for title in titles[:count]:
        cents = rng.choice([0, 50, 95, 99, rng.randrange(1, 99)])
        price = Decimal(rng.randrange(3, 1500)) + Decimal(cents) / 100
        items.append(Item(title, price, rng.choice(_DETAILS)))
    return items


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/DejaVuSans{'-Bold' if bold else ''}.ttf", size)


def _money(price: Decimal) -> str:
    return f"${price:,.2f}"


def _blank() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("L", PAGE_SIZE, 255)
    return image, ImageDraw.Draw(image)


def _leaders(draw: ImageDraw.ImageDraw, font, left: int, right: int, y: int, title: str, price: str) -> None:
    """``Title ........ $4.50`` with the price right-aligned at ``right``."""
    draw.text((left, y), title, font=font, fill=0)
    price_width = draw.textlength(price, font=font)
    draw.text((right - price_width, y), price, font=font, fill=0)
    start = left + draw.textlength(title, font=font) + 40
    end = right - price_width - 40
    dots = " ." * max(3, int((end - start) // draw.textlength(" .", font=font)))
    draw.text((start, y), dots, font=font, fill=0)


def list_page(items: list[Item], *, heading: str = "Spring Price List") -> Image.Image:
    """One item per line with dotted leaders to the price."""
    image, draw = _blank()
    draw.text((200, 180), heading, font=_font(80, bold=True), fill=0)
    font = _font(50)
    for row, item in enumerate(items):
        _leaders(draw, font, 200, 2350, 400 + row * 100, item.title, _money(item.price))
    return image


def table_page(items: list[Item]) -> Image.Image:
    """A ruled table: item, details, price."""
    image, draw = _blank()
    font, bold = _font(44), _font(44, bold=True)
    columns = (150, 900, 1950)
    top = 250
    for x, label in zip(columns, ("Item", "Details", "Price"), strict=True):
        draw.text((x, top), label, font=bold, fill=0)
    draw.line((120, top + 70, 2430, top + 70), fill=0, width=4)
    for row, item in enumerate(items):
        y = top + 110 + row * 95
        draw.text((columns[0], y), item.title, font=font, fill=0)
        draw.text((columns[1], y), item.description, font=font, fill=0)
        draw.text((columns[2], y), _money(item.price), font=font, fill=0)
        draw.line((120, y + 75, 2430, y + 75), fill=140, width=2)
    return image


def two_column_page(items: list[Item]) -> Image.Image:
    """Two columns of blocks: a bold title, a description line, a price line."""
    image, draw = _blank()
    title_font, text_font = _font(50, bold=True), _font(40)
    half = (len(items) + 1) // 2
    for column, column_items in enumerate((items[:half], items[half:])):
        x = 150 + column * 1250
        for row, item in enumerate(column_items):
            y = 200 + row * 330
            draw.text((x, y), item.title, font=title_font, fill=0)
            draw.text((x, y + 80), item.description, font=text_font, fill=0)
            draw.text((x, y + 150), f"Price: {_money(item.price)}", font=text_font, fill=0)
    return image


def photo_of(page: Image.Image, *, angle: float = 1.5) -> Image.Image:
    """The page as a phone photo: slightly rotated, grey paper, sensor noise, soft focus."""
    photo = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    photo = photo.point(lambda value: 40 + value * 0.75)
    photo = Image.blend(photo, Image.effect_noise(photo.size, 40), 0.15)
    return photo.filter(ImageFilter.GaussianBlur(1.2)).convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_bytes(pages: list[Image.Image], image_format: str) -> bytes:
    """An image file; TIFF keeps every page as a frame."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    extra = {"save_all": True, "append_images": rest, "compression": "tiff_lzw"} if rest else {}
    first.save(buffer, format=image_format, **extra)
    return buffer.getvalue()


def pdf_bytes(pages: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, format="PDF", resolution=DPI, save_all=True, append_images=rest)
    return buffer.getvalue()
