#!/usr/bin/env python3
"""Draws the synthetic face photos (plain Python 3, no packages) as PGM files, then encodes each
once with opj_compress (Debian: libopenjp2-tools). See README.md. Output: face-N.pgm, face-N.jp2."""
import subprocess
import sys

W, H = 90, 110

# (face half-width, face half-height, skin grey, hair grey, hair height, eye gap, mouth width,
#  mouth curve, background grey)
FACES = [
    (27, 35, 200, 40, 14, 11, 10, 3, 235),
    (30, 33, 180, 70, 10, 12, 12, -2, 220),
    (25, 37, 215, 25, 18, 10, 8, 4, 240),
    (29, 36, 170, 110, 8, 13, 14, 1, 225),
    (26, 34, 190, 55, 20, 11, 9, -3, 230),
]


def draw(params):
    fw, fh, skin, hair, hair_h, gap, mw, curve, bg = params
    cx, cy = W // 2, 48
    img = [[bg - (y * 20) // H for x in range(W)] for y in range(H)]

    def inside(x, y, ox, oy, rx, ry):
        return ((x - ox) / rx) ** 2 + ((y - oy) / ry) ** 2 <= 1.0

    for y in range(H):
        for x in range(W):
            if inside(x, y, cx, H + 10, 44, 32):  # shoulders
                img[y][x] = 90
            if inside(x, y, cx, cy - fh + hair_h, fw + 4, hair_h + 8) and y < cy:  # hair
                img[y][x] = hair
            if inside(x, y, cx, cy, fw, fh) and y >= cy - fh + hair_h:  # face
                img[y][x] = skin
            if inside(x, y, cx, cy + fh + 4, 9, 8) and not inside(x, y, cx, cy, fw, fh):  # neck
                img[y][x] = skin - 10
    for side in (-1, 1):
        ex = cx + side * gap
        for y in range(H):
            for x in range(W):
                if inside(x, y, ex, cy - 4, 5, 3):
                    img[y][x] = 250
                if inside(x, y, ex, cy - 4, 2, 2):
                    img[y][x] = 20
                if abs(y - (cy - 10)) <= 1 and abs(x - ex) <= 5:  # brows
                    img[y][x] = hair
    for x in range(cx - mw, cx + mw + 1):  # mouth: a parabola, curve > 0 smiles
        t = (x - cx) / mw
        y = int(round(cy + 18 - curve * (1 - t * t)))
        img[y][x] = 80
        img[y + 1][x] = 80
    for y in range(cy, cy + 9):  # nose
        img[y][cx] = skin - 40
    return img


def main():
    for i, params in enumerate(FACES, start=1):
        img = draw(params)
        pgm = f"face-{i}.pgm"
        with open(pgm, "wb") as f:
            f.write(b"P5\n%d %d\n255\n" % (W, H))
            f.write(bytes(max(0, min(255, v)) for row in img for v in row))
        # lossy, 4 quality layers; -n 3 resolutions (90x110 is small)
        subprocess.run(["opj_compress", "-i", pgm, "-o", f"face-{i}.jp2", "-r", "8", "-n", "3"],
                       check=True, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
