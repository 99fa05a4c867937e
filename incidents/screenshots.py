"""Invented phone screenshots of a chat, for demo data and benchmarks (never for real cases).

They look like the evidence people upload most: a messaging app, phone sized, with text in it,
and optionally a photo inside the chat, which is what makes real screenshots 1-2 MB.
"""

import io
import random
import textwrap
from datetime import datetime

from PIL import Image, ImageDraw, ImageFont

PHONE_SIZE = (1170, 2532)  # a common phone screen, in pixels
BUBBLE_THEM = (233, 233, 235)


def chat_screenshot(
    *,
    contact: str,
    messages: list[str],
    sent_at: datetime,
    rng: random.Random,
    with_photo: bool = False,
    size: tuple[int, int] = PHONE_SIZE,
) -> bytes:
    """A PNG of a chat in which the contact sends `messages` and the user never answers."""
    width, height = size
    scale = width / PHONE_SIZE[0]
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    small = ImageFont.load_default(size=int(38 * scale))
    text_font = ImageFont.load_default(size=int(46 * scale))
    clock = sent_at.strftime("%H:%M")
    draw.text((int(60 * scale), int(40 * scale)), clock, fill="black", font=small)
    draw.rectangle((0, int(120 * scale), width, int(300 * scale)), fill=(247, 247, 247))
    draw.text((width // 2, int(210 * scale)), contact, fill="black", font=text_font, anchor="mm")
    draw.text(
        (width // 2, int(360 * scale)),
        sent_at.strftime("%a %d %b %Y, %H:%M"),
        fill=(120, 120, 120),
        font=small,
        anchor="mm",
    )
    top = int(440 * scale)
    for message in messages:
        lines = textwrap.wrap(message, width=30) or [""]
        bubble_height = int((len(lines) * 58 + 50) * scale)
        if top + bubble_height > height - int(200 * scale):
            break
        draw.rounded_rectangle(
            (int(40 * scale), top, int(860 * scale), top + bubble_height),
            radius=int(40 * scale),
            fill=BUBBLE_THEM,
        )
        for i, line in enumerate(lines):
            y = top + int((25 + i * 58) * scale)
            draw.text((int(80 * scale), y), line, fill="black", font=text_font)
        top += bubble_height + int(30 * scale)
    if with_photo and top < height - int(900 * scale):
        _paste_photo(image, (int(40 * scale), top, int(860 * scale), top + int(700 * scale)), rng)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _paste_photo(image: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """A noisy block standing in for a photo sent in the chat (photos do not compress)."""
    width, height = box[2] - box[0], box[3] - box[1]
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    tint = Image.new("RGB", (width, height), (rng.randrange(256), 120, rng.randrange(256)))
    image.paste(Image.blend(noise, tint, 0.6), box[:2])
