"""Every hard rule of the matching renders in words in every language (no formatting error)."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from popup.domain.matching import HardRule


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_hard_rule_has_words(app, lang):
    template = '{% from "matching/_macros.html" import rule_name %}{{ rule_name(rule) }}'
    with app.test_request_context(), force_locale(lang):
        for rule in HardRule:
            text = render_template_string(template, rule=rule.value).strip()
            assert text, rule
            assert "{" not in text and "%(" not in text, (rule, text)
            if rule.value in ("area_too_small", "area_too_large"):
                assert "50 %" in text, text
            if rule.value == "budget_exceeded":
                assert "25 %" in text, text
