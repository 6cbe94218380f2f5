"""faker: a Faker provider's fake (name, email, iban...), drawn once per original from the dictionary
of its kind, so every column meaning the same thing agrees. Its options sit next to it:
locale, unique (bool), kind (dictionary shared by columns meaning the same thing; default: the
provider), domain ("keep" or a domain name, for email)."""

import difflib
from dataclasses import replace
from functools import cache

from faker import Faker
from faker.generator import Generator

from formwork.masking import normal_forms
from formwork.masking.strategies import TEXT, Strategy, register

_NAME = {"type": "string", "minLength": 1}
# Values that identify a person on their own; cities or postcodes alone don't, and would only
# make the leak check cry wolf wherever a company shares them.
IDENTIFYING = ("name", "email", "phone_number", "iban", "ssn", "passport_number", "street_address", "license_plate")


@register
class FakerStrategy(Strategy):
    name = "faker"
    types = TEXT
    schema = _NAME
    beside = {"locale": _NAME, "unique": {"type": "boolean"}, "kind": _NAME, "domain": _NAME}
    by_row = True
    spares_shipped = True
    memo = False  # the dictionary is the memo: one lookup per row

    def options(self, src, path, spec, siblings):
        locale = spec.get("locale", src.doc["locale"])
        fake = faker_for(locale)
        if fake is None:
            raise src.error(path + ["locale"], f"unknown Faker locale '{locale}' (e.g. en_GB, fr_FR, nl_NL)")
        provider = spec["faker"]
        if not _is_provider(fake, provider):
            names = {name for p in fake.get_providers() for name in dir(p) if _is_provider(fake, name)}
            close = difflib.get_close_matches(provider, names, n=3)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            raise src.error(path + ["faker"], f"unknown Faker provider '{provider}' for locale {locale}{hint}")
        return {"provider": provider, **{key: spec[key] for key in self.beside if key in spec}}

    def describe(self, options):
        return f"faker {options['provider']}" + (", unique" if options.get("unique") else "")

    def tracked(self, rule, kind, group):  # tracked values need not be unique
        return replace(rule, column="char+text", options={k: v for k, v in rule.options.items() if k != "unique"})

    def leak_kind(self, rule):
        provider = rule.options["provider"]
        return normal_forms.KIND_OF_PROVIDER[provider] if provider in IDENTIFYING else None

    def prepare(self, masker, rule, values, json):
        dictionary = masker.dictionary(rule)
        found = set(masker.texts(values, json)) if json else set(values) - {None}
        dictionary.add_originals(found)
        if rule.options.get("unique"):
            dictionary.in_unique_columns.update(found)

    def function(self, masker, entry, rule, result):
        return masker.dictionary(rule).get


@cache
def faker_for(locale: str) -> Faker | None:
    try:
        return Faker(locale)
    except AttributeError:  # Faker's way of saying it has no such locale
        return None


def _is_provider(fake: Faker, name: str) -> bool:
    # Checked on the classes first: some of Faker's own methods raise when fetched from an instance.
    if name.startswith("_") or hasattr(Generator, name) or hasattr(Faker, name):
        return False
    return callable(getattr(fake, name, None))
