"""The scrubber replaces every spelling of a person the leak check recognises: case, word order, spacing, HTML,
accents, and every layout of an email, phone number or IBAN, with the person's one fake.

A small Odoo-shaped database: people whose names, emails, phones and IBANs the rules mask, and scrubbed free text
(a chatter body, a partner note, tracking values, an attachment's index_content) where each variant is planted.
The run must succeed (the leak check finds nothing left), and the fakes must be the person's own everywhere."""

from __future__ import annotations

import re

import psycopg
import pytest

from formwork.masking import normal_forms
from formwork.masking.engine import Masker
from formwork.masking.originals import Originals
from formwork.masking.rules import load_rules
from formwork.masking.scrub import Scrubber
from tests.support.clusters import create_database, drop_database

SALT = b"scrub-variants-salt-0123456789ab"
RULES = """\
version: 1
locale: en_GB
tables:
  - table: res_partner
    module: base
    columns:
      name: {faker: name}
      email: {faker: email}
      phone: {faker: phone_number}
      comment: scrub
  - table: res_partner_bank
    module: base
    columns:
      acc_number: {faker: iban}
  - table: mail_message
    module: mail
    columns:
      body: scrub
  - table: mail_tracking_value
    module: mail
    columns:
      old_value_char: scrub
      new_value_text: scrub
  - table: ir_attachment
    module: base
    columns:
      index_content: scrub
keep:
  - column: x_job.x_note
    reason: site notes
"""
PEOPLE = {  # id -> (name, email, phone, iban)
    1: ("John Smith", "John.Smith@Example.com", "07700 900123", "GB29 NWBK 6016 1331 9268 19"),
    2: ("Renée Müller", "renee@example.org", "0161 496 0001", "GB82WEST12345698765432"),
    3: ("Bjørn Ødegård", "bjorn@example.org", "0161 496 0002", "GB33BUKB20201555555555"),
    4: ("Hans Strauß", "hans@example.org", "0161 496 0003", "GB94BARC10201530093459"),
    5: ("Madonna", "madonna@example.org", "0161 496 0004", "GB94BARC20201530093459"),
}
FILLERS = 30  # other people, so a fake is drawn from a real pool of originals

# label -> (table.column, planted text, person id, how the fake appears: as is, upper, lower, surname first)
VARIANTS = {
    "upper case": ("mail_message.body", "<p>Site visit by JOHN SMITH</p>", 1, "upper"),
    "lower case": ("res_partner.comment", "met john smith on site", 1, "lower"),
    "surname first": ("mail_tracking_value.old_value_char", "Foreman: Smith, John", 1, "surname first"),
    "two spaces": ("mail_message.body", "John  Smith signed", 1, "as is"),
    "line break": ("mail_tracking_value.new_value_text", "Signed by John\nSmith", 1, "as is"),
    "nbsp": ("ir_attachment.index_content", "John\xa0Smith, foreman", 1, "as is"),
    "nbsp entity": ("mail_message.body", "<p>John&nbsp;Smith</p>", 1, "as is"),
    "html tags": ("mail_message.body", "<p><b>John</b> Smith</p>", 1, "as is"),
    "accented": ("res_partner.comment", "Renée Müller called", 2, "as is"),
    "unaccented": ("mail_message.body", "<p>Renee Muller called</p>", 2, "as is"),
    "accented upper": ("mail_tracking_value.old_value_char", "RENÉE MÜLLER", 2, "upper"),
    "named entities": ("mail_message.body", "<p>Ren&eacute;e M&uuml;ller</p>", 2, "as is"),
    "numeric entities": ("mail_message.body", "<p>Ren&#233;e M&#xfc;ller</p>", 2, "as is"),
    "slashed o": ("ir_attachment.index_content", "report by bjørn ødegård", 3, "lower"),
    "sharp s": ("mail_message.body", "<p>Hans Strauß arrives</p>", 4, "as is"),
    "sharp s spelled ss": ("res_partner.comment", "Hans Strauss arrives", 4, "as is"),
    "single name as a whole value": ("mail_tracking_value.old_value_char", "MADONNA", 5, "upper"),
    "possessive": ("mail_message.body", "<p>John Smith's crew</p>", 1, "as is"),
}
EMAILS = {  # label -> (table.column, planted)
    "email as written": ("mail_message.body", "<p>mail John.Smith@Example.com</p>"),
    "email lower case": ("res_partner.comment", "write to john.smith@example.com"),
    "email upper case": ("mail_tracking_value.old_value_char", "JOHN.SMITH@EXAMPLE.COM"),
}
PHONES = {
    "phone grouped": ("mail_message.body", "<p>call 07700 900123</p>"),
    "phone e164 spaced": ("res_partner.comment", "call +44 7700 900123"),
    "phone e164": ("mail_tracking_value.new_value_text", "call +447700900123"),
    "phone compact": ("ir_attachment.index_content", "call 07700900123"),
    "phone brackets": ("mail_message.body", "<p>call (07700) 900-123</p>"),
    "phone without trunk zero": ("res_partner.comment", "mobile 7700 900123"),
    "phone dotted": ("mail_tracking_value.old_value_char", "07700.900.123"),
}
IBANS = {
    "iban grouped": ("mail_message.body", "<p>paid to GB29 NWBK 6016 1331 9268 19</p>"),
    "iban compact": ("res_partner.comment", "paid to GB29NWBK60161331926819"),
    "iban lower grouped": ("mail_tracking_value.new_value_text", "iban gb29 nwbk 6016 1331 9268 19"),
}
BUSINESS = {  # scrubbed text without anybody in it stays byte-identical
    "business html": ("mail_message.body", "<p>Slab&nbsp;pour &amp; cure — 3 m³ at 10:30, <b>Level  2</b></p>"),
    "business accents": ("res_partner.comment", "Café Müller Straße delivery: 12 Pallets"),
    "business comma": ("mail_tracking_value.old_value_char", "Smith, Jones & Co"),
}
PLANTED = {**VARIANTS, **{k: (*v, 1, "as is") for k, v in {**EMAILS, **PHONES, **IBANS, **BUSINESS}.items()}}
SCRUBBED = (
    "mail_message.body",
    "res_partner.comment",
    "mail_tracking_value.old_value_char",
    "mail_tracking_value.new_value_text",
    "ir_attachment.index_content",
)


def _schema(conn) -> None:
    conn.execute("""
        CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar);
        INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed'), ('mail', 'installed');
        CREATE TABLE res_partner (id integer PRIMARY KEY, name varchar, email varchar, phone varchar, comment text);
        CREATE TABLE res_partner_bank (id integer PRIMARY KEY, partner_id integer, acc_number varchar);
        CREATE TABLE mail_message (id serial PRIMARY KEY, label varchar, body text);
        CREATE TABLE mail_tracking_value (id serial PRIMARY KEY, label varchar, old_value_char varchar, new_value_text text);
        CREATE TABLE ir_attachment (id serial PRIMARY KEY, label varchar, index_content text);
        CREATE TABLE x_job (id serial PRIMARY KEY, x_note text);
        INSERT INTO x_job (x_note) VALUES ('Pour the slab on level 2');""")
    for pid, (name, email, phone, iban) in PEOPLE.items():
        conn.execute("INSERT INTO res_partner VALUES (%s, %s, %s, %s, NULL)", (pid, name, email, phone))
        conn.execute("INSERT INTO res_partner_bank VALUES (%s, %s, %s)", (pid, pid, iban))
    conn.execute(f"""
        INSERT INTO res_partner SELECT i, 'Person' || i || ' Surname' || i, 'p' || i || '@example.org',
               '0161 496 ' || lpad(i::text, 4, '0'), NULL FROM generate_series(100, {99 + FILLERS}) i;""")
    for label, (where, planted, _, _) in PLANTED.items():
        table, column = where.split(".")
        if table == "res_partner":  # a note on a partner of its own, with nobody's name
            conn.execute(
                "INSERT INTO res_partner (id, name, comment) SELECT max(id) + 1, 'Works Ltd ' || max(id), %s FROM res_partner",
                (planted,),
            )
        else:
            conn.execute(f"INSERT INTO {table} (label, {column}) VALUES (%s, %s)", (label, planted))


def _masked_texts(conn) -> dict[str, str]:
    """label -> the planted text after masking."""
    found = {}
    for label, (where, _planted, _, _) in PLANTED.items():
        table, column = where.split(".")
        if table == "res_partner":
            continue
        found[label] = conn.execute(f"SELECT {column} FROM {table} WHERE label = %s", (label,)).fetchone()[0]
    comments = [c for (c,) in conn.execute("SELECT comment FROM res_partner WHERE comment IS NOT NULL ORDER BY id")]
    notes = [label for label, (where, *_) in PLANTED.items() if where == "res_partner.comment"]
    found.update(zip(notes, comments))
    return found


def _digest(conn) -> str:
    return conn.execute(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (SELECT p::text t FROM res_partner p UNION ALL "
        "SELECT b::text FROM res_partner_bank b UNION ALL SELECT m::text FROM mail_message m UNION ALL "
        "SELECT v::text FROM mail_tracking_value v UNION ALL SELECT a::text FROM ir_attachment a UNION ALL "
        "SELECT j::text FROM x_job j) s"
    ).fetchone()[0]


@pytest.fixture(scope="module")
def masked(pg, tmp_path_factory):
    """Two identical databases with every variant planted, masked with the same salt: (texts after masking,
    fakes of the people's columns, digests of both databases)."""
    rules = tmp_path_factory.mktemp("scrub-variants") / "rules.yaml"
    rules.write_text(RULES)
    names = [create_database(pg, "scrubvariants") for _ in range(2)]
    try:
        digests = []
        for name in names:
            with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
                _schema(conn)
            with psycopg.connect(pg.dsn(name)) as conn:
                report = Masker(conn, load_rules(str(rules)), SALT).run()
                conn.commit()
                assert report.leaks == []
                digests.append(_digest(conn))
        with psycopg.connect(pg.dsn(names[0])) as conn:
            texts = _masked_texts(conn)
            people = {
                pid: conn.execute(
                    "SELECT p.name, p.email, p.phone, b.acc_number FROM res_partner p "
                    "JOIN res_partner_bank b ON b.partner_id = p.id WHERE p.id = %s",
                    (pid,),
                ).fetchone()
                for pid in PEOPLE
            }
        yield texts, people, digests
    finally:
        for name in names:
            drop_database(pg, name)


def _styled(fake: str, style: str) -> str:
    if style == "upper":
        return fake.upper()
    if style == "lower":
        return fake.lower()
    if style == "surname first":
        *first, last = fake.split(" ")
        return f"{last}, {' '.join(first)}"
    return fake


def _without_tags(text: str) -> str:
    """The words as a reader sees them: tags dropped, every run of white space (NBSP too) one space."""
    return " ".join(re.sub(r"<[^>]*>", "", text).replace("&nbsp;", " ").split())


@pytest.mark.parametrize("label", list(VARIANTS))
def test_each_spelling_of_a_name_becomes_the_persons_fake(masked, label):
    texts, people, _ = masked
    _, planted, pid, style = VARIANTS[label]
    fake = people[pid][0]
    assert fake != PEOPLE[pid][0]
    assert _styled(fake, style) in _without_tags(texts[label]), (planted, texts[label])


@pytest.mark.parametrize("label", list(EMAILS))
def test_an_email_in_any_case_becomes_the_one_fake_of_the_column(masked, label):
    texts, people, _ = masked
    fake = people[1][1]
    assert fake.casefold() != PEOPLE[1][1].casefold()
    assert fake in texts[label], texts[label]


@pytest.mark.parametrize("label", list(PHONES))
def test_every_layout_of_a_phone_number_gets_the_same_fake_number(masked, label):
    texts, people, _ = masked
    fake_digits = re.sub(r"\D", "", people[1][2])[-9:]
    found = re.sub(r"\D", "", texts[label])
    assert fake_digits != "700900123" and found.endswith(fake_digits), texts[label]


@pytest.mark.parametrize("label", list(IBANS))
def test_every_spelling_of_an_iban_gets_the_same_fake(masked, label):
    texts, people, _ = masked
    fake = people[1][3].replace(" ", "")
    found = re.sub(r"[^A-Z0-9]", "", texts[label].upper()).removeprefix("PPAIDTO").removeprefix("PAIDTO").removeprefix("IBAN")
    assert fake != "GB29NWBK60161331926819" and fake in found, texts[label]


@pytest.mark.parametrize("label", list(BUSINESS))
def test_text_without_a_person_stays_byte_identical(masked, label):
    texts, _, _ = masked
    assert texts[label] == BUSINESS[label][1]


def test_no_spelling_of_an_original_is_left_and_the_same_salt_gives_the_same_output(masked):
    texts, _, digests = masked
    originals = Originals()
    for name, email, phone, iban in PEOPLE.values():
        for kind, value in (
            (normal_forms.WORDS, name),
            (normal_forms.EMAIL, email),
            (normal_forms.PHONE, phone),
            (normal_forms.CODE, iban),
        ):
            originals.add("people", kind, [value])
    originals.ready()
    for label, text in texts.items():
        assert not originals.found(text), (label, text)
    assert digests[0] == digests[1]


# ---- the Scrubber alone: what it does with each spelling, without a database -----------------------------

FAKES = {"John Smith": "Paul Jones", "Renée Müller": "Anna Kent", "Hans Strauß": "Mark Lee", "Madonna": "Cher"}


@pytest.fixture(scope="module")
def scrubber():
    scrubber = Scrubber(lambda kind, original: f"<{kind}>", str.upper)
    scrubber.add_known(FAKES, FAKES.__getitem__)
    return scrubber


@pytest.mark.parametrize(
    "text, expected",
    [
        ("JOHN SMITH", "PAUL JONES"),
        ("call john smith now", "call paul jones now"),
        ("Foreman: Smith, John.", "Foreman: Jones, Paul."),
        ("John \n Smith", "Paul \n Jones"),
        ("<p>John&nbsp;Smith</p>", "<p>Paul&nbsp;Jones</p>"),
        ("<b>John</b> Smith", "<b>Paul</b> Jones"),
        ("Ren&eacute;e M&uuml;ller", "Anna Kent"),
        ("Renee Muller and RENÉE MÜLLER", "Anna Kent and ANNA KENT"),
        ("Hans Strauss, Hans Strauß", "Mark Lee, Mark Lee"),
        (" madonna ", " cher "),
        ("Johnny Smith and John Smithers", "Johnny Smith and John Smithers"),
        ("Madonna sings", "Madonna sings"),  # a single word inside a sentence is a plain word, as for the check
    ],
)
def test_the_scrubber_replaces_each_spelling_in_place(scrubber, text, expected):
    assert scrubber.scrub(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("iban gb29 nwbk 6016 1331 9268 19.", "iban <iban>."),  # check digits right: an IBAN in any case
        ("room ab12 from 2026 on", "room ab12 from 2026 on"),  # IBAN-shaped words, check digits wrong: text
        ("call (07700) 900-123 or +447700900123", "call <phone_number> or <phone_number>"),
    ],
)
def test_the_detectors_take_every_layout_and_leave_lookalikes(scrubber, text, expected):
    assert scrubber.scrub(text) == expected


def test_a_known_number_is_never_looked_for_inside_what_a_detector_replaced():
    """A fake IBAN's digits can end like somebody's phone number: rewriting them as a phone broke the IBAN."""
    scrubber = Scrubber(lambda kind, original: "GB91 ABBY 7702 6390 5717 73" if kind == "iban" else f"<{kind}>", str.upper)
    scrubber.add_known_numbers(["01632 390571773", "07700 900123"])
    assert (
        scrubber.scrub("Bank: GB29 NWBK 6016 1331 9268 19, mobile 7700 900123")
        == "Bank: GB91 ABBY 7702 6390 5717 73, mobile <phone_number>"
    )
