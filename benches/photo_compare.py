#!/usr/bin/env python3
"""The kiosk's camera rules against zxing-cpp on real photographs, per folder, in one run.

    pip install zxing-cpp pillow      # only for this comparison; the kiosk does not use it
    cargo build && python3 benches/photo_compare.py [fixtures/photos] [target/debug/kiosk]

Each picture `NAME.ext` with `NAME.txt` holds the text its symbol says (a folder named
`falsepositives-*` has none: nothing may be read there). The kiosk is run as
`kiosk decode --json FOLDER` (the camera pipeline's rules for stills).

Columns: photos with a code; zxing-cpp reads (some result's text is the expected text); kiosk
reads (the accepted product, or the symbol it names, has the expected text); wrong products the
kiosk *accepted* (a GTIN that is not the expected one); anything accepted on photos without a code.
"""
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import zxingcpp
from PIL import Image

PICTURES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}


def expected_of(picture: Path):
    txt = picture.with_suffix(".txt")
    if not txt.exists():
        return None
    with open(txt, encoding="utf-8", newline="") as f:  # keep \r\n as the symbol holds it
        return f.read().strip()


def retail(text):
    """A retail code's number (EAN/UPC, as a number so 12, 13 and 14 digits compare), without
    its 2- or 5-digit add-on; None for anything else."""
    first = text.strip().split(" ")[0]
    if not first.isdigit():
        return None
    if len(first) in (15, 18):  # EAN-13 form + add-on, as the expected texts are written
        first = first[:13]
    return int(first) if len(first) in (8, 12, 13, 14) else None


def same(text, expected):
    """The read says the expected text; retail codes compare by number, add-ons aside."""
    if text is None:
        return False
    # A GS1 symbology identifier (]C1, ]d2, ]Q3) is how the kiosk marks GS1 data; the
    # expected texts are the data alone.
    if text.startswith("]") and len(text) > 3:
        text = text[3:]
    if text.strip() == expected.strip():
        return True
    a, b = retail(text), retail(expected)
    return a is not None and a == b


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "fixtures/photos")
    kiosk = sys.argv[2] if len(sys.argv) > 2 else "target/debug/kiosk"
    rows = []
    totals = defaultdict(int)
    zx_times, kiosk_times = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        pictures = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICTURES)
        empty = folder.name.startswith("falsepositives")
        started = time.perf_counter()
        out = subprocess.run([kiosk, "decode", "--json", str(folder)], capture_output=True,
                             text=True, check=False).stdout
        kiosk_times.append((time.perf_counter() - started) / max(1, len(pictures)))
        by_path = {}
        for line in out.splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            by_path[Path(record["path"]).name] = record
        t = defaultdict(int)
        for picture in pictures:
            expected = None if empty else expected_of(picture)
            if not empty and expected is None:
                continue
            record = by_path.get(picture.name, {})
            start = time.perf_counter()
            results = zxingcpp.read_barcodes(Image.open(picture).convert("L"))
            zx_times.append(time.perf_counter() - start)
            if empty:
                t["empty"] += 1
                t["kiosk_false"] += record.get("gtin") is not None
                t["zx_false"] += bool(results)
                continue
            t["coded"] += 1
            t["zx"] += any(same(r.text, expected) for r in results)
            # A product counts when accepted; a symbol that is no product (a web address) when
            # the kiosk names what it holds. A product read but refused by the rules does not.
            refused = "scan rules" in (record.get("error") or "")
            gtin = record.get("gtin")
            ok = (gtin is not None and (same(gtin, expected) or f"01{gtin}" in expected)) or (
                gtin is None and not refused and same(record.get("text"), expected))
            t["kiosk"] += ok
            if gtin is not None and not ok:
                t["kiosk_wrong"] += 1
                print(f"wrong product accepted: {folder.name}/{picture.name}: "
                      f"{record.get('gtin')} (expected {expected})", file=sys.stderr)
        rows.append((folder.name, t))
        for k, v in t.items():
            totals[k] += v
    print(f"zxing-cpp {getattr(zxingcpp, '__version__', '')}; kiosk {kiosk}")
    print(f"{'folder':<20} {'coded':>5} {'zxing':>5} {'kiosk':>5} {'wrong':>5} {'empty: zx/kiosk':>16}")
    for name, t in rows + [("total", totals)]:
        empty = f"{t['zx_false']}/{t['kiosk_false']} of {t['empty']}" if t["empty"] else ""
        print(f"{name:<20} {t['coded']:>5} {t['zx']:>5} {t['kiosk']:>5} {t['kiosk_wrong']:>5} {empty:>16}")
    print(f"median per picture: zxing-cpp {statistics.median(zx_times) * 1e3:.1f} ms (Python call), "
          f"kiosk {statistics.median(kiosk_times) * 1e3:.1f} ms (whole process per folder / pictures)")


if __name__ == "__main__":
    main()
