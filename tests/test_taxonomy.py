"""Tests of the taxonomy of social places."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtkaart import i18n, taxonomy


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "community_centre"}, "meeting"),
        ({"amenity": "cafe", "cuisine": "tea"}, "cafe"),
        ({"amenity": "place_of_worship", "religion": "muslim"}, "worship"),
        ({"leisure": "park"}, "park"),
        ({"leisure": "playground"}, "playground"),
        ({"leisure": "sports_centre"}, "sport"),
        ({"amenity": "library"}, "learning"),
        ({"amenity": "social_facility", "social_facility": "food_bank"}, "care"),
        ({"amenity": "marketplace"}, "market"),
        ({"shop": "bakery"}, "market"),
        ({"amenity": "townhall"}, "public"),
        ({"amenity": "theatre"}, "culture"),
    ],
)
def test_classify_known_tags(tags: dict, expected: str) -> None:
    assert taxonomy.classify(tags)[0] == expected


def test_unknown_or_odd_tags_fall_into_other() -> None:
    assert taxonomy.classify({"amenity": "spaceport"}) == ("other", "amenity=spaceport")
    assert taxonomy.classify({}) == ("other", "")
    assert taxonomy.classify({"amenity": None, "shop": 3.0}) == ("other", "")


def test_first_matching_rule_wins() -> None:
    # a market square that also carries a shop tag is a market, decided by amenity=marketplace
    assert taxonomy.classify({"amenity": "marketplace", "shop": "yes"}) == ("market", "amenity=marketplace")
    assert taxonomy.classify({"amenity": "cafe", "shop": "coffee"})[0] == "cafe"


def test_classify_frame_matches_classify_row_by_row() -> None:
    rows = [
        {"amenity": "cafe"},
        {"amenity": "place_of_worship", "religion": "christian"},
        {"shop": "laundry"},
        {"amenity": "bench"},
        {"tourism": "hotel"},
        {"leisure": "pitch", "sport": "soccer"},
        {},
    ]
    frame = pd.DataFrame(rows)
    result = taxonomy.classify_frame(frame)
    assert list(result["category"]) == [taxonomy.classify(r)[0] for r in rows]
    assert list(result["osm_tag"]) == [taxonomy.classify(r)[1] for r in rows]


def test_every_category_has_colour_icon_and_three_labels() -> None:
    assert len(set(taxonomy.CATEGORY_KEYS)) == len(taxonomy.CATEGORIES)
    for cat in taxonomy.CATEGORIES:
        assert cat.colour.startswith("#") and len(cat.colour) == 7
        assert cat.icon
        labels = {lang: i18n.category_label(cat.key, lang) for lang in i18n.LANGUAGES}
        assert all(label and not label.startswith("category.") for label in labels.values())
    assert taxonomy.category("no-such-key").key == taxonomy.OTHER


def test_every_rule_points_at_a_category() -> None:
    assert {cat for _, _, cat in taxonomy.RULES} <= set(taxonomy.CATEGORY_KEYS)
