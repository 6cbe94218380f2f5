"""The shortcuts the masking engine takes for speed give the answers of the slow way."""

from __future__ import annotations

import hashlib

import psycopg
import pytest

from formwork.masking import leaks
from formwork.masking.keyed import Keyed
from formwork.masking.scrub import COMBINED, PHONE, detector_for

TEXTS = [
    "Anna Kent",  # no '@', no digit: nothing to find
    "Call Anna on +44 7700 900123 or 020 7946 0018 today",
    "Pay GB33 BUKB 2020 1555 5555 55 by Friday; NI QQ 12 34 56 C",
    "<p>Write to anna.kent@example.com (or +44 7700 900124)</p>",
    "mail anna@x.co.uk, IBAN GB82WEST12345698765432",
    "Invoice 2024-0012, 3 lines",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_prefiltered_detector_finds_what_the_combined_one_finds(text):
    detector = detector_for(text)
    found = [(m.span(), m.lastgroup) for m in detector.finditer(text)] if detector else []
    assert found == [(m.span(), m.lastgroup) for m in COMBINED.finditer(text)]


def test_a_uuid_is_no_phone_number_but_phone_numbers_beside_it_are():
    """Rewiring writes fresh UUIDs (database.uuid, tokens): about 1 in 130 has digit-only groups such as
    "-0123-4567-8901-", which read as a phone number made coverage refuse a refresh at random."""
    uuids = [
        "c0e1d2f3-0123-4567-8901-abcdef012345",
        "01234567-8901-2345-abcd-ef0123456789",
        "9f8e7d6c-5b4a-0398-7654-321098765432",
    ]
    assert [u for u in uuids if PHONE.search(u)] == []
    assert PHONE.findall(f"token {uuids[0]}, call +44 7700 900303 or 020 7946 0958.") == ["+44 7700 900303", "020 7946 0958"]


def test_keyed_digests_are_blake2b_of_the_whole_message():
    """Fakes depend on these digests: the cached-state shortcut must not change a single one."""
    salt = b"tests-salt-0123456789abcdef"
    for keyed in (Keyed(salt), Keyed(salt).with_variant(2)):
        for value in ("Anna Kent", "", "é€ 42"):
            for size in (8, 16, 64):
                suffix = "\x00#2" if keyed.variant else ""
                whole = hashlib.blake2b(f"name\x00{value}{suffix}".encode(), key=salt, digest_size=size).digest()
                assert keyed.digest("name", value, size) == whole


def test_originals_are_explained_by_a_fake_that_holds_them_not_by_two_neighbouring_fakes(pg, database):
    originals = leaks.Originals()
    originals.add("hr_employee.name", "words", ["Anna Kent", "Mary Anna", "Kent Road"])
    fakes = ["Mary", "Anna Kent Smith"] + [f"Filler {i}" for i in range(60_000)] + ["Kent", "Road"]
    with psycopg.connect(pg.dsn(database)) as conn:
        conn.execute("CREATE TABLE x_note (note text)")
        conn.execute("INSERT INTO x_note VALUES ('Mary Anna Kent Smith'), ('Kent Road')")
        found = leaks.scan(
            conn,
            {"x_note": {"note": "text"}},
            originals,
            produced=[leaks.one_per_line(fakes[:30_000]), leaks.one_per_line(fakes[30_000:])],
        )
    assert found == [leaks.Leak("x_note.note", "hr_employee.name", 2)]  # "mary anna" and "kent road", not "anna kent"


class _Chunks:
    """COPY output as psycopg yields it: one row per chunk."""

    def __init__(self, rows: list[str]):
        self.rows = rows

    def __iter__(self):
        return (memoryview(row.encode()) for row in self.rows)


def test_blocks_hold_whole_rows_and_every_row_once():
    rows = [f"{i}\tAnna Kent {i}\té\n" for i in range(5000)]
    blocks = [block.decode() for block in leaks._blocks(_Chunks(rows), size=1000)]
    assert len(blocks) > 10 and all(block.endswith("\n") for block in blocks)
    assert "".join(blocks) == "".join(rows)
