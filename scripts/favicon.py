#!/usr/bin/python3
"""Write views/static/favicon.ico: a 16x16 blue disc (the brand colour), so
browsers stop asking the app for it. Run again only to change the icon."""
import struct, sys
size, rgb = 16, (0x91, 0x3d, 0x0b)  # BGR of #0b3d91
pixels = b""
for y in range(size - 1, -1, -1):          # BMP rows go bottom-up
    for x in range(size):
        inside = (x - 7.5) ** 2 + (y - 7.5) ** 2 <= 7.5 ** 2
        pixels += bytes(rgb + (255,)) if inside else b"\0\0\0\0"
mask = b"\0" * (4 * size)                  # 1-bit AND mask, 32-bit rows
dib = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0,
                  len(pixels) + len(mask), 0, 0, 0, 0) + pixels + mask
ico = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", size, size, 0, 0,
                                                 1, 32, len(dib), 22) + dib
open(sys.argv[1] if len(sys.argv) > 1 else "views/static/favicon.ico", "wb").write(ico)
