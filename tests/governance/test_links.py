"""``{% link %}`` writes what ``{% url %}`` writes, for names with and without arguments, under another
script prefix too, and escapes as it does."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, set_script_prefix

CASES = [
    ("'portal:action_items'", {}),
    ("'governance:body' acronym", {"acronym": "ACCMSME"}),
    ("'governance:body' acronym", {"acronym": "SEOM"}),
    ("'meetings:procedure' pk", {"pk": 7}),
    ("'meetings:procedure' pk", {"pk": 8}),
    ("'chairmanship:timeline' acronym", {"acronym": "AEM"}),
    ("'governance:body' acronym", {"acronym": "R&D"}),  # an ampersand: escaped where the template escapes
]


def render(tag: str, values: dict, autoescape: bool = True) -> str:
    return Template("{% load links %}" + tag).render(Context(values, autoescape=autoescape))


@pytest.mark.parametrize("prefix", ["/", "/governance-app/"])
def test_link_is_url(prefix):
    set_script_prefix(prefix)
    try:
        for args, values in CASES:
            for autoescape in (True, True, False):  # the second answer comes from the process's cache
                assert render(f"{{% link {args} %}}", values, autoescape) == render(
                    f"{{% url {args} %}}", values, autoescape
                )
        assert "R&amp;D" in render("{% link 'governance:body' 'R&D' %}", {})
        assert "R&D" in render("{% link 'governance:body' 'R&D' %}", {}, autoescape=False)
        # Two links in one render share one read of the URLconf and prefix.
        assert render("{% link 'portal:action_items' %} {% link 'meetings:procedure' 3 %}", {}) == render(
            "{% url 'portal:action_items' %} {% url 'meetings:procedure' 3 %}", {}
        )
        assert render("{% link 'portal:action_items' %}", {}).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_a_link_without_a_name_is_a_template_error():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        render("{% link %}", {})


def test_an_argument_that_is_no_id_or_acronym_is_reversed_each_time_and_a_bad_one_still_fails():
    class Pk:
        def __str__(self) -> str:
            return "12"

    assert render("{% link 'meetings:procedure' pk %}", {"pk": Pk()}) == render(
        "{% url 'meetings:procedure' pk %}", {"pk": Pk()}
    )
    with pytest.raises(NoReverseMatch):
        render("{% link 'meetings:procedure' pk %}", {"pk": "not-a-number"})
