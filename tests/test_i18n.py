import re
import string

import pytest

from drill.i18n import LANGUAGES, catalogue, language_from_environment, pick, set_language, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_key_with_the_same_placeholders():
    en = catalogue("en")
    assert len(en) > 100
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert set(other) == set(en), f"{lang}: missing {set(en) - set(other)}, extra {set(other) - set(en)}"
        for key, text in en.items():
            assert _fields(other[key]) == _fields(text), f"{lang}: placeholders differ in {key}"


def test_vietnamese_messages_are_vietnamese():
    vi = catalogue("vi")
    with_diacritics = [
        k for k, v in vi.items() if re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", v)
    ]
    # most messages are sentences in Vietnamese; ids and symbols may stay as they are
    assert len(with_diacritics) > 0.7 * len(vi)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DRILL_LANG": "vi"}, "vi"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "vi_VN"}, "en"),
        ({"DRILL_LANG": "xx", "LANG": "vi_VN"}, "vi"),
        ({}, "en"),
    ],
)
def test_language_from_environment(env, expected):
    assert language_from_environment(env) == expected


def test_t_fills_values_and_follows_the_current_language():
    set_language("vi")
    assert t("validate.unknown_ref", what="nút", name="x") == "không có nút 'x'"
    assert t("validate.unknown_ref", "en", what="node", name="x") == "unknown node 'x'"
    set_language("en")
    assert pick({"en": "Hello", "vi": "Xin chào"}) == "Hello"
    assert pick({"en": "Hello", "vi": "Xin chào"}, "vi") == "Xin chào"
