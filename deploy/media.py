"""A video file of any size for the production shape's uploads: an MP4 the app's check accepts
(an ``ftyp`` box with a video brand, a ``moov`` box, then an ``mdat`` box of random bytes)."""

from __future__ import annotations

import os
import struct


def synthetic_mp4(size: int) -> bytes:
    ftyp = struct.pack(">L4s4sL4s4s", 24, b"ftyp", b"isom", 0x200, b"isom", b"mp41")
    mvhd = struct.pack(">L4s", 8 + 100, b"mvhd") + bytes(100)
    moov = struct.pack(">L4s", 8 + len(mvhd), b"moov") + mvhd
    head = ftyp + moov
    body = size - len(head) - 8
    if body < 0:
        raise ValueError("too small for an MP4")
    return head + struct.pack(">L4s", 8 + body, b"mdat") + os.urandom(body)
