"""Catalog pages drawn with Pillow and the DejaVu fonts in many layouts, each with
the truth for every item, and the ways a real scan spoils them: the one place the
OCR tests and benches get their pages from.

``bench/ocr_accuracy.py`` reads every layout in every condition with each engine;
the parser tests replay engine output recorded from these pages
(``ocr/tests/fixtures/``, written by ``record_fixtures``). The worker, API and
browser tests and ``bench/ocr.py`` draw catalogs of their own items with the same
layouts (``catalog_items``, ``list_page``, ``table_page``, ``two_column_page``).
Nothing here is stored as an image: a page is drawn again whenever it is needed.
"""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
DPI = 300
# US Letter at 300 dpi (what Poppler renders a Pillow-saved PDF page back to); a
# 150 dpi condition halves it.
PAGE_SIZE = (2550, 3300)
MARGIN = 150

_FAMILIES = ("DejaVuSans", "DejaVuSerif", "DejaVuSansCondensed", "DejaVuSerifCondensed", "DejaVuSansMono")
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
    "Sander",
    "Jigsaw",
    "Grinder",
    "Planter",
    "Hose",
    "Trowel",
    "Apron",
    "Kayak",
    "Paddle",
    "Compass",
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
    "Cordless",
    "Garden",
    "Outdoor",
    "Heavy",
    "Classic",
]
_EXTRAS = ("Set", "Kit", "Pro", "Mini", "XL", "Pair", "Deluxe")
_DETAILS = (
    "Hand finished and ships flat",
    "Fits most standard sizes",
    "Includes two spare parts",
    "Gently used and works well",
    "Bright colours, easy to clean",
    "Made from recycled material",
    "Ships in two days",
    "One year warranty included",
    "Sold by the piece",
    "Batteries not included",
    "Assembly takes ten minutes",
    "Available in three colours",
)


@dataclass(frozen=True)
class Item:
    title: str
    price: Decimal
    description: str = ""
    sku: str = ""


@dataclass(frozen=True)
class Layout:
    name: str
    count: int
    draw: Callable[[list[Item], random.Random], Image.Image]
    # Price forms its items are shown in, cycled item by item.
    forms: tuple[str, ...] = ("dollar",)
    description_lines: tuple[int, int] = (0, 0)
    skus: bool = False


@dataclass
class Page:
    layout: str
    condition: str
    items: list[Item]
    image: Image.Image = field(repr=False)


def _font(size: int, family: str = "DejaVuSans", bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/{family}{'-Bold' if bold else ''}.ttf", size)


def money(price: Decimal, form: str) -> str:
    """``price`` written the way a catalog might write it."""
    whole = price == price.to_integral_value()
    us = f"{price:,.0f}" if whole else f"{price:,.2f}"
    eu = f"{price:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return {
        "dollar": f"${us}",
        "label": f"Price: ${us}",
        "usd_after": f"{price:,.2f} USD",
        "usd_before": f"USD {us}",
        "euro_after": f"{eu} €",
        "euro_before": f"€ {eu}",
        "pound": f"£{price:,.2f}",
        "from": f"from ${us}",
    }[form]


PRICE_FORMS = ("dollar", "label", "usd_after", "usd_before", "euro_after", "euro_before", "pound", "from")


def _draw_items(
    rng: random.Random,
    count: int,
    *,
    forms: tuple[str, ...] = ("dollar",),
    description_lines: tuple[int, int] = (0, 0),
    skus: bool = False,
) -> list[Item]:
    titles = [f"{adjective} {noun}" for adjective in _ADJECTIVES for noun in _NOUNS]
    rng.shuffle(titles)
    items = []
    for position, title in enumerate(titles[:count]):
        if rng.random() < 0.25:
            title = f"{title} {rng.choice(_EXTRAS)}"
        form = forms[position % len(forms)]
        if form in ("usd_before", "from") or rng.random() < 0.15:
            price = Decimal(rng.randrange(5, 900))
        else:
            price = (
                Decimal(rng.randrange(3, 2500))
                + Decimal(rng.choice([0, 50, 95, 99, rng.randrange(1, 99)])) / 100
            )
        low, high = description_lines
        lines = rng.randint(low, high)
        description = "\n".join(rng.sample(_DETAILS, lines)) if lines else ""
        sku = f"{rng.choice('ABCDEFGHKMPRST')}{rng.choice('ABCDEFGHKMPRST')}-{rng.randrange(1000, 99999)}"
        items.append(Item(title, price, description, sku if skus else ""))
    return items


def make_items(layout: Layout, rng: random.Random) -> list[Item]:
    """The items a layout's page shows, drawn from ``rng``."""
    return _draw_items(
        rng, layout.count, forms=layout.forms, description_lines=layout.description_lines, skus=layout.skus
    )


def _blank() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("L", PAGE_SIZE, 255)
    return image, ImageDraw.Draw(image)


def _heading(draw: ImageDraw.ImageDraw, text: str, size: int = 72) -> int:
    draw.text((MARGIN, 140), text, font=_font(size, bold=True), fill=0)
    return 140 + int(size * 2.2)


def _cards(
    items: list[Item],
    rng: random.Random,
    *,
    columns: int,
    order: tuple[str, ...],
    forms: tuple[str, ...],
    mixed: bool = False,
) -> Image.Image:
    """Product cards in columns; ``order`` is how a card stacks its title, price and
    description lines."""
    image, draw = _blank()
    top = _heading(draw, rng.choice(("Spring Catalog", "Supplier Price List", "New Arrivals")))
    width = (PAGE_SIZE[0] - 2 * MARGIN) // columns
    per_column = -(-len(items) // columns)
    for index, item in enumerate(items):
        column, row_in_column = divmod(index, per_column)
        if row_in_column == 0:
            y = top
        x = MARGIN + column * width
        family = rng.choice(_FAMILIES) if mixed else "DejaVuSans"
        title_size = rng.randint(40, 60) if mixed else (48 if columns == 2 else 42)
        body_size = rng.randint(30, 38) if mixed else 34
        title_font = _font(title_size, family, bold=True)
        body_font = _font(body_size, family)
        form = forms[index % len(forms)]
        for part in order:
            if part == "title":
                draw.text((x, y), item.title, font=title_font, fill=0)
                y += int(title_size * 1.35)
            elif part == "price":
                draw.text(
                    (x, y), money(item.price, form), font=_font(body_size + 4, family, bold=mixed), fill=0
                )
                y += int((body_size + 4) * 1.35)
            else:
                for line in item.description.splitlines():
                    draw.text((x, y), line, font=body_font, fill=0)
                    y += int(body_size * 1.3)
        y += int(title_size * 1.6)
    return image


def _leader_row(draw, font, left: int, right: int, y: int, title: str, price: str, *, dots: bool) -> None:
    draw.text((left, y), title, font=font, fill=0)
    price_width = draw.textlength(price, font=font)
    draw.text((right - price_width, y), price, font=font, fill=0)
    if dots:
        start = left + draw.textlength(title, font=font) + 30
        end = right - price_width - 30
        draw.text(
            (start, y),
            " ." * max(3, int((end - start) // draw.textlength(" .", font=font))),
            font=font,
            fill=0,
        )


def _list(items: list[Item], rng: random.Random, *, forms: tuple[str, ...], dots: bool) -> Image.Image:
    """One item a line, the price right-aligned (with dotted leaders, or a plain gap);
    a description, if any, under it in a smaller face."""
    image, draw = _blank()
    y = _heading(draw, "Price List")
    font, small = _font(46), _font(34, "DejaVuSerif")
    for index, item in enumerate(items):
        _leader_row(
            draw,
            font,
            MARGIN,
            PAGE_SIZE[0] - MARGIN,
            y,
            item.title,
            money(item.price, forms[index % len(forms)]),
            dots=dots,
        )
        y += 64
        for line in item.description.splitlines():
            draw.text((MARGIN + 60, y), line, font=small, fill=0)
            y += 48
        y += 40
    return image


def _price_first(items: list[Item], rng: random.Random, *, forms: tuple[str, ...]) -> Image.Image:
    """The price in a left column, then the title, the description under the title."""
    image, draw = _blank()
    y = _heading(draw, "Clearance")
    font, bold, small = _font(44), _font(44, bold=True), _font(34)
    for index, item in enumerate(items):
        draw.text((MARGIN, y), money(item.price, forms[index % len(forms)]), font=bold, fill=0)
        draw.text((MARGIN + 520, y), item.title, font=font, fill=0)
        y += 62
        for line in item.description.splitlines():
            draw.text((MARGIN + 520, y), line, font=small, fill=0)
            y += 46
        y += 42
    return image


def _table(
    items: list[Item],
    rng: random.Random,
    *,
    headers: tuple[str, ...],
    forms: tuple[str, ...],
    ruled: str,
) -> Image.Image:
    """A table under a header row; ``ruled``: "none", "rows" (a line under each
    row) or "grid" (rows and columns)."""
    image, draw = _blank()
    top = _heading(draw, "Wholesale Prices")
    font, bold = _font(40), _font(40, bold=True)
    widths = {
        "Item": 700,
        "Name": 700,
        "Product": 700,
        "SKU": 330,
        "Code": 330,
        "Description": 800,
        "Details": 800,
    }
    columns, x = [], MARGIN
    for header in headers:
        columns.append(x)
        x += widths.get(header, 420)
    right = x
    row_height = 80
    draw.text((columns[0], top), "", font=bold)
    for column, header in zip(columns, headers, strict=True):
        draw.text((column + 15, top), header, font=bold, fill=0)
    draw.line((MARGIN, top + 62, right, top + 62), fill=0, width=4)
    y = top + 85
    for index, item in enumerate(items):
        values = {
            "Item": item.title,
            "Name": item.title,
            "Product": item.title,
            "SKU": item.sku,
            "Code": item.sku,
            "Description": item.description.replace("\n", "; "),
            "Details": item.description.replace("\n", "; "),
            "Price": money(item.price, forms[index % len(forms)]),
            "Cost": money(item.price, forms[index % len(forms)]),
        }
        for column, header in zip(columns, headers, strict=True):
            draw.text((column + 15, y), values[header], font=font, fill=0)
        if ruled != "none":
            draw.line((MARGIN, y + row_height - 14, right, y + row_height - 14), fill=90, width=3)
        y += row_height
    if ruled == "grid":
        for column in [*columns, right]:
            draw.line((column, top - 15, column, y - 14), fill=90, width=3)
    return image


def photo_of(
    page: Image.Image, rng: random.Random | None = None, *, angle: float | None = None
) -> Image.Image:
    """A page photographed: turned a little, uneven light, grey paper, sensor noise,
    soft focus, saved as a JPEG."""
    rng = rng or random.Random(1)
    angle = rng.uniform(1.0, 2.5) * rng.choice((-1, 1)) if angle is None else angle
    photo = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    width, height = photo.size
    light = Image.linear_gradient("L").resize((width, height)).rotate(rng.choice((0, 90, 180, 270)))
    # Paper from light grey to dark grey across the page, ink stays dark.
    photo = Image.composite(photo.point(lambda v: 70 + v * 0.68), photo.point(lambda v: 25 + v * 0.55), light)
    photo = Image.blend(photo, _sensor_noise(photo.size, rng), 0.12)
    return _jpeg(photo.filter(ImageFilter.GaussianBlur(1.0)), 70)


def _sensor_noise(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Grey Gaussian noise (sigma 50 about mid-grey) drawn from ``rng``: Pillow's
    ``effect_noise`` draws from the C library's unseeded generator, so the same page
    came out different on every call and its accuracy with it."""
    width, height = size
    noise = np.random.default_rng(rng.getrandbits(64)).normal(128, 50, (height, width))
    return Image.fromarray(noise.clip(0, 255).astype(np.uint8), "L")


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def _photo_list(items: list[Item], rng: random.Random) -> Image.Image:
    return photo_of(_list(items, rng, forms=("dollar", "pound"), dots=True), rng)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "cards-2col",
        12,
        lambda items, rng: _cards(
            items, rng, columns=2, order=("title", "price", "description"), forms=("label",)
        ),
        forms=("label",),
        description_lines=(1, 1),
    ),
    Layout(
        "cards-3col",
        12,
        lambda items, rng: _cards(
            items, rng, columns=3, order=("title", "price", "description"), forms=("dollar",)
        ),
        description_lines=(1, 3),
    ),
    Layout(
        "cards-desc-then-price",
        10,
        lambda items, rng: _cards(
            items, rng, columns=2, order=("title", "description", "price"), forms=("usd_after",)
        ),
        forms=("usd_after",),
        description_lines=(1, 2),
    ),
    Layout(
        "cards-price-first",
        12,
        lambda items, rng: _cards(
            items, rng, columns=3, order=("price", "title", "description"), forms=("pound",)
        ),
        forms=("pound",),
        description_lines=(1, 1),
    ),
    Layout(
        "leaders",
        24,
        lambda items, rng: _list(items, rng, forms=("dollar",), dots=True),
    ),
    Layout(
        "leaders-described",
        14,
        lambda items, rng: _list(items, rng, forms=("euro_before",), dots=True),
        forms=("euro_before",),
        description_lines=(1, 2),
    ),
    Layout(
        "one-line-gap",
        22,
        lambda items, rng: _list(items, rng, forms=("euro_after",), dots=False),
        forms=("euro_after",),
    ),
    Layout(
        "price-forms",
        16,
        lambda items, rng: _list(items, rng, forms=PRICE_FORMS, dots=False),
        forms=PRICE_FORMS,
    ),
    Layout(
        "price-before-name",
        18,
        lambda items, rng: _price_first(items, rng, forms=("usd_before", "dollar")),
        forms=("usd_before", "dollar"),
        description_lines=(0, 1),
    ),
    Layout(
        "table-ruled-sku",
        20,
        lambda items, rng: _table(
            items, rng, headers=("Item", "SKU", "Price"), forms=("usd_after",), ruled="rows"
        ),
        forms=("usd_after",),
        skus=True,
    ),
    Layout(
        "table-plain-sku",
        18,
        lambda items, rng: _table(
            items, rng, headers=("Name", "Code", "Description", "Cost"), forms=("dollar",), ruled="none"
        ),
        description_lines=(1, 1),
        skus=True,
    ),
    Layout(
        "table-grid",
        18,
        lambda items, rng: _table(
            items, rng, headers=("Product", "Details", "Price"), forms=("pound",), ruled="grid"
        ),
        forms=("pound",),
        description_lines=(1, 1),
    ),
    Layout(
        "mixed-fonts",
        10,
        lambda items, rng: _cards(
            items, rng, columns=2, order=("title", "price", "description"), forms=PRICE_FORMS, mixed=True
        ),
        forms=PRICE_FORMS,
        description_lines=(1, 2),
    ),
    Layout("photo-of-list", 18, _photo_list, forms=("dollar", "pound")),
)
LAYOUT_NAMES = tuple(layout.name for layout in LAYOUTS)
CONDITIONS = ("clean-300", "clean-150", "degraded-300", "degraded-150")


def degrade(image: Image.Image, rng: random.Random, *, scale: float = 1.0) -> Image.Image:
    """A poor scan: skew up to 3°, blur, about 1 % speckle, JPEG artefacts."""
    angle = rng.uniform(0.8, 3.0) * rng.choice((-1, 1))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(1.2 * scale))
    pixels = image.load()
    width, height = image.size
    for _ in range(width * height // 100):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 60, 200, 255))
    return _jpeg(image, 40)


def layout_named(name: str) -> Layout:
    return next(layout for layout in LAYOUTS if layout.name == name)


def items_of(layout_name: str, *, seed: int = 1) -> list[Item]:
    """The items a layout's page shows (without drawing it)."""
    return make_items(layout_named(layout_name), random.Random(f"{layout_name}-{seed}"))


def page(layout_name: str, condition: str = "clean-300", *, seed: int = 1) -> Page:
    """One layout in one condition, the same every time for the same seed."""
    layout = layout_named(layout_name)
    rng = random.Random(f"{layout_name}-{seed}")
    items = make_items(layout, rng)
    image = layout.draw(items, rng)
    quality, dpi = condition.split("-")
    scale = int(dpi) / 300
    if scale != 1:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
    if quality == "degraded":
        image = degrade(image, random.Random(f"{layout_name}-{seed}-{condition}"), scale=scale)
    return Page(layout_name, condition, items, image)


# Catalogs of the tests' own choosing (the worker, API and browser tests, bench/ocr.py):
# the corpus's layouts drawn with the items given.


def catalog_items(count: int, *, seed: int = 1) -> list[Item]:
    """``count`` distinct items in dollars, each with one line of description."""
    return _draw_items(random.Random(seed), count, description_lines=(1, 1))


def list_page(items: list[Item], *, seed: int = 1) -> Image.Image:
    """One item a line, dotted leaders to the price; no descriptions."""
    bare = [replace(item, description="") for item in items]
    return _list(bare, random.Random(seed), forms=("dollar",), dots=True)


def table_page(items: list[Item], *, seed: int = 1) -> Image.Image:
    """A table ruled by rows: Item | Details | Price."""
    return _table(
        items, random.Random(seed), headers=("Item", "Details", "Price"), forms=("dollar",), ruled="rows"
    )


def two_column_page(items: list[Item], *, seed: int = 1) -> Image.Image:
    """Two columns of cards: a bold title, its description, then ``Price: $4.50``."""
    return _cards(
        items, random.Random(seed), columns=2, order=("title", "description", "price"), forms=("label",)
    )


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
    """A PDF of the pages at 300 dpi: Poppler renders each back to ``PAGE_SIZE``."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, format="PDF", resolution=DPI, save_all=True, append_images=rest)
    return buffer.getvalue()
