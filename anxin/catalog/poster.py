"""A listing's share poster: one PNG a seller saves and posts in a WeChat chat or Moments, with
the listing's first image, its title, its price, the shop's name, the checkout link's QR code
and one line saying that Anxin holds the payment in escrow. Drawn with Pillow; the QR code is
segno's, as on /c/<code>/qr.svg, drawn module by module so it scans as that one does."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from anxin.core.errors import DomainError
from anxin.core.money import format_fen

WIDTH, HEIGHT = 750, 1200
PHOTO_HEIGHT = 560
MARGIN = 40
QR_SIZE = 300  # the QR code's box, quiet zone included
QR_BORDER = 2  # modules of quiet zone, as on qr.svg

# Installed by scripts/ensure-system-deps.sh (fonts-wqy-microhei), or by the usual packages.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)

BRAND = (11, 122, 85)
INK = (31, 41, 51)
MUTED = (96, 108, 120)
PRICE = (212, 56, 13)


class PosterFontMissing(DomainError):
    """The server has no font with Chinese glyphs: the poster cannot be drawn."""

    status = 503
    code = "poster_font_missing"
    title = "Service unavailable"


@dataclass(frozen=True)
class QrPlacement:
    """Where the QR code is drawn: its top-left corner (quiet zone included), the size of one
    module in pixels, and the symbol's modules (rows of 0/1), as segno made them."""

    left: int
    top: int
    scale: int
    matrix: tuple[tuple[int, ...], ...]


def poster_font_path() -> Path:
    configured = settings.ANXIN_POSTER_FONT
    candidates = (configured,) if configured else FONT_CANDIDATES
    for c in candidates:
        if Path(c).is_file():
            return Path(c)
    raise PosterFontMissing(
        "poster: no font with Chinese glyphs is installed on the server "
        "(install fonts-wqy-microhei, or set ANXIN_POSTER_FONT)"
    )


def qr_matrix(url: str) -> tuple[tuple[int, ...], ...]:
    """The checkout link's QR modules, made as /c/<code>/qr.svg makes them."""
    return tuple(tuple(int(bool(m)) for m in row) for row in segno.make(url, error="m").matrix)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int, lines: int
) -> list[str]:
    """Text cut into at most `lines` lines of `width` pixels, character by character (Chinese
    has no spaces), the last line ending in "…" if the text goes on."""
    out: list[str] = []
    line = ""
    for ch in " ".join(text.split()):
        if draw.textlength(line + ch, font=font) <= width:
            line += ch
            continue
        rest = ""
        if ch.isascii() and ch.strip() and " " in line.strip():
            # A word in a Latin script moves to the next line whole.
            line, rest = line.rsplit(" ", 1)
        out.append(line)
        line = (rest + ch).lstrip()
        if len(out) == lines:
            break
    else:
        if line:
            out.append(line)
        return out[:lines]
    last = out[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    out[-1] = last + "…"
    return out


def _photo(image_file: object | None) -> Image.Image:
    """The listing's first image, cropped to fill the photo band; a plain band without one."""
    band = Image.new("RGB", (WIDTH, PHOTO_HEIGHT), (238, 242, 245))
    if image_file is None:
        return band
    try:
        with image_file.open("rb") as f:  # type: ignore[attr-defined]
            opened = Image.open(io.BytesIO(f.read()))
            img = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError):
        return band  # a file gone from storage: the poster without it
    return ImageOps.fit(img, (WIDTH, PHOTO_HEIGHT), method=Image.Resampling.LANCZOS)


def poster_draw(
    *, title: str, price_fen: int, shop_name: str, checkout_url: str, image_file: object | None
) -> tuple[Image.Image, QrPlacement]:
    """The poster and where its QR code is (for the tests that scan it)."""
    path = poster_font_path()
    font = lambda size: ImageFont.truetype(str(path), size)  # noqa: E731
    poster = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    poster.paste(_photo(image_file), (0, 0))
    draw = ImageDraw.Draw(poster)
    y = PHOTO_HEIGHT + 28
    title_font = font(38)
    for line in _wrap(draw, title, title_font, WIDTH - 2 * MARGIN, 2):
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += 50
    y += 6
    draw.text((MARGIN, y), format_fen(price_fen), font=font(54), fill=PRICE)
    y += 76
    shop = _wrap(draw, _("Shop: %(shop)s") % {"shop": shop_name}, font(28), WIDTH - 2 * MARGIN, 1)
    draw.text((MARGIN, y), shop[0] if shop else "", font=font(28), fill=MUTED)

    matrix = qr_matrix(checkout_url)
    scale = QR_SIZE // (len(matrix) + 2 * QR_BORDER)
    size = scale * (len(matrix) + 2 * QR_BORDER)
    left, top = MARGIN - scale * QR_BORDER, HEIGHT - MARGIN - size
    place = QrPlacement(left=left, top=top, scale=scale, matrix=matrix)
    draw.rectangle((left, top, left + size - 1, top + size - 1), fill=(255, 255, 255))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x0 = left + (c + QR_BORDER) * scale
                y0 = top + (r + QR_BORDER) * scale
                draw.rectangle((x0, y0, x0 + scale - 1, y0 + scale - 1), fill=(0, 0, 0))

    text_left = left + size + 16
    text_width = WIDTH - MARGIN - text_left
    ty = top + scale * QR_BORDER
    for line in _wrap(draw, _("Scan to buy"), font(34), text_width, 1):
        draw.text((text_left, ty), line, font=font(34), fill=INK)
        ty += 52
    escrow = _(
        "Your payment is held in escrow by Anxin and paid to the seller only after you "
        "confirm receipt."
    )
    for line in _wrap(draw, escrow, font(26), text_width, 5):
        draw.text((text_left, ty), line, font=font(26), fill=BRAND)
        ty += 38
    draw.text(
        (text_left, top + size - scale * QR_BORDER - 30),
        _("Anxin buyer protection"),
        font=font(22),
        fill=MUTED,
    )
    return poster, place


def poster_png(**kwargs: object) -> bytes:
    poster, _place = poster_draw(**kwargs)  # type: ignore[arg-type]
    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()
