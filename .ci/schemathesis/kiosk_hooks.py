"""Schemathesis hooks for the warehouse protocol: how to make values of the document's custom
formats. `gtin` is a GS1 GTIN whose last digit is the check digit of the others (a regex
cannot say that); sizes from the demo catalog and random GTINs with a correct check digit
are drawn alike. `gtin-or-empty` adds the empty string."""

import csv
import os

import schemathesis
from hypothesis import strategies as st


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


@st.composite
def random_gtin(draw):
    length = draw(st.sampled_from([8, 12, 13, 14]))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + check_digit(body)


fixtures = os.environ.get("KIOSK_FIXTURES", "fixtures")
with open(os.path.join(fixtures, "variants.csv"), newline="") as f:
    known = [row["gtin"] for row in csv.DictReader(f)]

gtins = st.one_of(st.sampled_from(known), random_gtin())
schemathesis.openapi.format("gtin", gtins)
schemathesis.openapi.format("gtin-or-empty", st.one_of(st.just(""), gtins))
