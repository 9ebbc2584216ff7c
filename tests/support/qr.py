"""Reads the text of a QR code from its module matrix, independently of the encoder the page vendors.

Enough of ISO/IEC 18004 for a clean matrix (as drawn, not photographed): versions 1 to 10, error
correction level M, one byte-mode segment. The format information must be a valid code word and every
block must pass its Reed-Solomon check, as a scanner requires; anything else raises.
"""

from __future__ import annotations

import re

# Level M, versions 1 to 10: (error correction blocks, error correction code words per block).
BLOCKS_M = {1: (1, 10), 2: (1, 16), 3: (1, 26), 4: (2, 18), 5: (2, 24), 6: (4, 16), 7: (4, 18), 8: (4, 22)}
BLOCKS_M |= {9: (5, 22), 10: (5, 26)}
MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: r * c % 2 + r * c % 3 == 0,
    lambda r, c: (r * c % 2 + r * c % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + r * c % 3) % 2 == 0,
]
EXP = [1] * 512
for _i in range(1, 512):
    EXP[_i] = EXP[_i - 1] << 1 ^ (0x11D if EXP[_i - 1] & 0x80 else 0)
LOG = {EXP[i]: i for i in range(255)}


def read(dark: list[list[bool]]) -> str:
    """The text a QR code's matrix (rows of modules, True for dark, no quiet zone) encodes."""
    size = len(dark)
    version = (size - 17) // 4
    assert size == 4 * version + 17 and all(len(row) == size for row in dark), "not a QR code's shape"
    level, mask = _format(dark)
    assert level == 0 and version in BLOCKS_M, f"level {level}, version {version}: outside this reader"
    function = _function_modules(version, size)
    bits = []
    for right in range(size - 1, 0, -2):  # two columns at a time from the right, zig-zagging
        right -= right <= 6  # the vertical timing pattern's column is skipped
        upward = ((right + 1) & 2) == 0
        for step in range(size):
            row = size - 1 - step if upward else step
            for col in (right, right - 1):
                if not function[row][col]:
                    bits.append(dark[row][col] ^ MASKS[mask](row, col))
    words = [int("".join("1" if bit else "0" for bit in bits[i : i + 8]), 2) for i in range(0, len(bits) // 8 * 8, 8)]
    return _segment(_blocks(words, *BLOCKS_M[version]), version)


def svg_modules(view_box: str, path: str, quiet: int = 4) -> list[list[bool]]:
    """The matrix of a QR code drawn as an SVG path of unit squares (`M{x},{y}h1v1h-1z`) in a quiet zone."""
    size = int(view_box.split()[2]) - 2 * quiet
    dark = [[False] * size for _ in range(size)]
    for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", path):
        dark[int(y) - quiet][int(x) - quiet] = True
    return dark


def _format(dark: list[list[bool]]) -> tuple[int, int]:
    """Error correction level (M is 0) and mask, from the format information beside the top-left finder."""
    cells = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, 14 - i) for i in range(9, 15)]
    bits = sum(dark[row][col] << i for i, (row, col) in enumerate(cells))
    for data in range(32):
        remainder = data
        for _ in range(10):
            remainder = remainder << 1 ^ (remainder >> 9) * 0x537
        if ((data << 10 | remainder) ^ 0x5412) == bits:
            return data >> 3, data & 7
    raise AssertionError(f"format information {bits:015b} is not a valid code word")


def _function_modules(version: int, size: int) -> list[list[bool]]:
    marked = [[False] * size for _ in range(size)]

    def mark(top: int, left: int, height: int, width: int) -> None:
        for row in range(top, top + height):
            for col in range(left, left + width):
                marked[row][col] = True

    for top, left in ((0, 0), (0, size - 8), (size - 8, 0)):  # finders, separators, format information
        mark(top, left, 8 + (top == 0), 8 + (left == 0))
    mark(6, 0, 1, size)  # timing patterns
    mark(0, 6, size, 1)
    mark(size - 8, 8, 1, 1)  # the dark module
    if version > 1:
        count = version // 7 + 2
        step = (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
        centres = [6, *sorted(size - 7 - i * step for i in range(count - 1))]
        corners = {(6, 6), (6, centres[-1]), (centres[-1], 6)}
        for row in centres:
            for col in centres:
                if (row, col) not in corners:
                    mark(row - 2, col - 2, 5, 5)
    if version >= 7:  # version information
        mark(0, size - 11, 6, 3)
        mark(size - 11, 0, 3, 6)
    return marked


def _blocks(words: list[int], count: int, ecc: int) -> list[int]:
    """The data code words, de-interleaved, once each block's Reed-Solomon check passes."""
    short = count - len(words) % count
    length = len(words) // count - ecc  # data words of a short block; long blocks have one more
    blocks: list[list[int]] = [[] for _ in range(count)]
    stream = iter(words)
    for i in range(length + 1):
        for j in range(count):
            if i < length or j >= short:
                blocks[j].append(next(stream))
    data = [list(block) for block in blocks]
    for _ in range(ecc):
        for block in blocks:
            block.append(next(stream))
    for block in blocks:
        for root in range(ecc):  # the code word polynomial vanishes at every root of the generator
            syndrome = 0
            for word in block:
                syndrome = (_multiply(syndrome, EXP[root]) if syndrome else 0) ^ word
            assert syndrome == 0, "a block fails its Reed-Solomon check"
    return [word for block in data for word in block]


def _multiply(a: int, b: int) -> int:
    return EXP[LOG[a] + LOG[b]]


def _segment(words: list[int], version: int) -> str:
    bits = "".join(f"{word:08b}" for word in words)
    assert bits[:4] == "0100", f"mode {bits[:4]}: not a byte-mode segment"
    width = 8 if version < 10 else 16
    length = int(bits[4 : 4 + width], 2)
    start = 4 + width
    payload = bytes(int(bits[start + 8 * i : start + 8 * i + 8], 2) for i in range(length))
    assert set(bits[start + 8 * length : start + 8 * length + 4]) <= {"0"}, "more than one segment"
    return payload.decode("utf-8")
