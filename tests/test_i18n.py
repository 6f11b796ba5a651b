"""Tests of the translation table."""

from __future__ import annotations

import re

from buurtkaart import i18n


def test_every_key_has_dutch_french_and_english() -> None:
    for key, row in i18n.TABLE.items():
        assert len(row) == len(i18n.LANGUAGES), key
        assert all(text.strip() for text in row), key


def test_placeholders_agree_across_languages() -> None:
    for key, row in i18n.TABLE.items():
        names = [set(re.findall(r"{(\w+)}", text)) for text in row]
        assert names[0] == names[1] == names[2], key


def test_dutch_is_the_default_and_values_are_filled_in() -> None:
    assert i18n.t("category.worship") == "Gebedshuis"
    assert i18n.t("category.worship", "fr") == "Lieu de culte"
    assert i18n.t("map.count", "en", n=3) == "3 places on the map"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.t("category.cafe", "xx") == i18n.t("category.cafe", "nl")


def test_every_literal_key_in_the_code_is_in_the_table() -> None:
    """A key written out in a module or page (t("…"), error keys, f-strings with a vocabulary) has its three texts."""
    from buurtkaart.paths import ROOT

    literal = re.compile(r"""(?:\bt|BuurtkaartError|Error|error_key)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    missing = set()
    for path in [*(ROOT / "buurtkaart").rglob("*.py"), ROOT / "app.py"]:
        for key in literal.findall(path.read_text(encoding="utf-8")):
            if key not in i18n.TABLE and not key.endswith("."):  # "prefix." + key: built at run time
                missing.add(f"{path.name}: {key}")
    assert not missing, sorted(missing)


def test_every_vocabulary_entry_of_a_network_has_a_label() -> None:
    from buurtkaart import vocabulary

    for name, keys in vocabulary.VOCABULARIES.items():
        for key in keys:
            assert vocabulary.label_key(name, key) in i18n.TABLE, (name, key)
