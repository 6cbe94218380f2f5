"""The digest sets the dictionaries, the scrubber and the leak check keep their millions of originals in, and the
workers that compute them while the originals are read (formwork.masking.offload). No database."""

from __future__ import annotations

from formwork.masking import normal_forms, offload
from formwork.masking.digest_set import DigestMap, DigestSet
from formwork.masking.originals import Originals

MEMBERS = [f"member {i}" for i in range(50_000)]
OTHERS = [f"other {i}" for i in range(50_000)]


def test_a_set_answers_for_members_and_others_across_merges():
    members = DigestSet()
    members.add(MEMBERS[:30_000])
    assert "member 1" in members and "other 1" not in members
    members.add(MEMBERS[30_000:] + MEMBERS[:10])  # added after a merge, some again
    assert all(m in members for m in MEMBERS) and not any(o in members for o in OTHERS)
    assert len(members) == len(MEMBERS)
    assert "anything" not in DigestSet() and len(DigestSet()) == 0


def test_a_map_keeps_the_first_value_given_and_forgets_what_is_removed():
    mapped = DigestMap()
    mapped.setdefault(["a", "b"], 1)
    mapped.setdefault(["b", "c"], 2)
    mapped.freeze()
    mapped.setdefault(["c", "a", "d"], 3)
    assert mapped.found(["d", "a", "b", "c", "z"]) == [("d", 3), ("a", 1), ("b", 1), ("c", 2)]
    mapped.remove(["b", "z"])
    mapped.setdefault(["b"], 4)  # a member again, with the value given after the removal
    assert mapped.found(["a", "b"]) == [("a", 1), ("b", 4)]


def test_originals_computed_in_workers_are_the_ones_computed_inline():
    values = {
        "people.name": (normal_forms.WORDS, [f"Person{i} Surname{i}" for i in range(3_000)] + ["Smith, John"]),
        "people.phone": (normal_forms.PHONE, [f"+44 20 7946 {i:04d}" for i in range(3_000)]),
        "people.iban": (normal_forms.CODE, [f"GB82 WEST 1234 5698 {i:06d}" for i in range(3_000)]),
        "people.email": (normal_forms.EMAIL, [f"Person{i}@Example.com" for i in range(3_000)]),
    }
    inline, beside = Originals(), Originals()
    numbers_inline, numbers_beside = DigestSet(), DigestSet()
    for origin, (kind, found) in values.items():
        inline.add(origin, kind, found)
        numbers_inline.add(found)
    with offload.workers():
        for origin, (kind, found) in values.items():
            for start in range(0, len(found), 500):  # in chunks, as the read does
                beside.add(origin, kind, found[start : start + 500])
                numbers_beside.add(found[start : start + 500])
    text = "John Smith and person7 surname7 rang 020 7946 0012 from gb82west12345698000042, mail person9@example.com"
    inline.ready()
    beside.ready()
    assert sorted(beside.found(text)) == sorted(inline.found(text)) and len(inline.found(text)) == 5
    assert (beside.counted, len(beside), beside.code_lengths) == (inline.counted, len(inline), inline.code_lengths)
    assert all(v in numbers_beside for _, found in values.values() for v in found)
