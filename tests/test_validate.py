"""Tests of buurtkaart.validate (shared field rules) and the one error base (errors.BuurtkaartError)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from buurtkaart import citizens as cz
from buurtkaart import validate
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t


class FieldError(BuurtkaartError):
    FIELD_LABELS = "item."


def test_text_strips_and_accepts_missing_cells():
    assert validate.text("  Theehuis ", "name", FieldError, limit=20) == "Theehuis"
    for empty in (None, math.nan, pd.NA):
        assert validate.text(empty, "notes", FieldError, limit=20) == ""


def test_text_refuses_with_the_field_named_in_each_language():
    with pytest.raises(FieldError) as caught:
        validate.text(12, "name", FieldError, limit=20)
    assert caught.value.key == "error.not_text" and caught.value.field == "name"
    assert t("item.name", "fr") in caught.value.message("fr")
    assert t("item.name", "nl") in caught.value.message("nl")
    assert str(caught.value) == caught.value.message("en")
    with pytest.raises(FieldError, match=t("item.name", "en")) as caught:
        validate.text("x" * 21, "name", FieldError, limit=20)
    assert caught.value.key == "error.text_too_long" and caught.value.values == {"length": 21, "limit": 20}
    with pytest.raises(FieldError) as caught:
        validate.text("  ", "name", FieldError, limit=20, empty_key="error.name_empty")
    assert caught.value.key == "error.name_empty"


def test_control_characters_are_refused_or_dropped():
    with pytest.raises(FieldError) as caught:
        validate.text("a\x00b", "name", FieldError, limit=20)
    assert caught.value.key == "error.control_character"
    assert validate.text("a\x00b", "name", FieldError, limit=20, drop_control=True) == "ab"
    assert validate.text("line one\nline two\t.", "notes", FieldError, limit=40, multiline=True) == "line one\nline two\t."
    with pytest.raises(FieldError):
        validate.text("line one\nline two", "name", FieldError, limit=40)
    with pytest.raises(FieldError):
        validate.text("\ud800", "notes", FieldError, limit=40, multiline=True)  # a lone surrogate


def test_integers_become_text_only_when_asked():
    assert validate.text(1234, "place_ref", FieldError, limit=20, integers=True) == "1234"
    with pytest.raises(FieldError):
        validate.text(True, "place_ref", FieldError, limit=20, integers=True)
    with pytest.raises(FieldError):
        validate.text(1234, "place_ref", FieldError, limit=20)


def test_choice_choices_and_distinct():
    keys = ("a", "b", "c")
    assert validate.choice("b", "kind", keys, FieldError, "error.kind_unknown") == "b"
    with pytest.raises(FieldError) as caught:
        validate.choice("z", "kind", keys, FieldError, "error.kind_unknown")
    assert caught.value.values == {"value": "z"}
    assert validate.choices(["c", "a", "c"], "languages", keys, FieldError, "error.language_unknown") == ["c", "a"]
    assert validate.choices(None, "languages", keys, FieldError, "error.language_unknown") == []
    for not_a_list in ("abc", b"abc", {"a": 1}, 3):
        with pytest.raises(FieldError) as caught:
            validate.distinct(not_a_list, "languages", FieldError)
        assert caught.value.key == "error.not_a_list"


def test_numbers_and_positions():
    assert validate.number(4) == 4.0 and validate.number(np.float32(1.5)) == 1.5
    for bad in (True, np.bool_(False), "4", math.inf, math.nan, None):
        assert validate.number(bad) is None
    assert validate.lon_lat(4.35, 50.85) == (4.35, 50.85)
    assert validate.lon_lat(200, 50) is None and validate.lon_lat(4, -91) is None and validate.lon_lat("4", 50) is None


def test_same_and_show_value():
    assert validate.same([1, 2], (1, 2)) and not validate.same(1, 1.0) and not validate.same("a", "b")
    assert validate.show_value("a\x00b") == "a\ufffdb"
    assert validate.show_value("x" * 100).endswith("…") and len(validate.show_value("x" * 100)) == validate.SHOWN_MAX


def test_places_and_citizens_share_the_rules():
    with pytest.raises(vp.VindplaatsError) as place:
        vp.clean_fields({"layer": "vindplaats", "name": "x" * (vp.NAME_MAX + 1), "kind": "bench"})
    with pytest.raises(cz.CitizenError) as citizen:
        cz._label("x" * (cz.LABEL_MAX + 1), "place_label", cz.TieError)
    assert place.value.key == citizen.value.key == "error.text_too_long"
    assert t("item.name", "fr") in place.value.message("fr")
    assert t("citizen.field.place_label", "fr") in citizen.value.message("fr")
    assert citizen.value.at_row(2).message("en") == t("citizen.in_row", "en", row=3, message=t(
        "error.text_too_long", "en", field=t("citizen.field.place_label", "en"), length=cz.LABEL_MAX + 1, limit=cz.LABEL_MAX))


def test_no_error_class_sets_its_own_args():
    package = Path(validate.__file__).resolve().parent
    assert [p.name for p in package.rglob("*.py") if "self.args" in p.read_text(encoding="utf-8")] == []
    assert [p.name for p in package.rglob("*.py") if p.name != "validate.py" and "_CONTROL = re.compile" in p.read_text(encoding="utf-8")] == []
