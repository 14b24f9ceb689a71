#!/usr/bin/env python3
"""Reads the accuracy corpus with zxing-cpp, the reference C++ decoder, for comparison with
`kiosk decode fixtures/corpus` (same pictures, same expected GTINs, same machine, one run).

    pip install zxing-cpp pillow      # only for this comparison; the kiosk does not use it
    python3 benches/zxing_compare.py [fixtures/corpus]

A read counts when it carries the expected GTIN (its text contains the 13 or 14 digits, or,
for UPC-E, the 8-digit form); a read of something else is a wrong read.
"""
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import zxingcpp
from PIL import Image

FORMATS = [
    zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.UPCA, zxingcpp.BarcodeFormat.UPCE,
    zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.Code128,
    zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix,
]
UPCE_FORMS = {"00012345000065": "01234565"}


def matches(text: str, gtin: str) -> bool:
    return gtin.lstrip("0") in text or UPCE_FORMS.get(gtin, "~") in text


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "fixtures/corpus")
    tally = defaultdict(lambda: [0, 0, 0, []])  # images, read, wrong, times
    for picture in sorted(folder.glob("*.jpg")):
        expected = picture.with_suffix(".txt").read_text().strip()
        category = picture.stem.split("-")[0]
        image = Image.open(picture).convert("L")
        start = time.perf_counter()
        results = zxingcpp.read_barcodes(image, formats=FORMATS)
        elapsed = time.perf_counter() - start
        t = tally[category]
        t[0] += 1
        t[3].append(elapsed)
        texts = [r.text for r in results]
        if not expected:
            t[1 if not texts else 2] += 1
        elif any(matches(x, expected) for x in texts):
            t[1] += 1
        elif texts:
            t[2] += 1
            print(f"wrong: {picture.name}: {texts}", file=sys.stderr)
    print("zxing-cpp", getattr(zxingcpp, "__version__", ""))
    print("category        images  read  wrong  median ms")
    for category, (images, read, wrong, times) in sorted(tally.items()):
        print(f"{category:<15} {images:>6} {read:>5} {wrong:>6} {statistics.median(times) * 1e3:>10.1f}")


if __name__ == "__main__":
    main()
