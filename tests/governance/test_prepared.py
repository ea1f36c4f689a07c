"""Querysets compiled once per process (governance.prepared) give the rows the plain queryset gives, for
every value and shape of their arguments, and fall back to the plain queryset where they cannot bind."""

import datetime as dt

import pytest
from django.db.models import Q

from governance.models import Body, Membership, Person
from governance.prepared import Prepared


def _members(body_id, on, ids):
    qs = Membership.objects.filter(body_id=body_id, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    if ids is not None:
        qs = qs.filter(person_id__any_of=ids)
    return qs.select_related("person", "member_state").order_by("pk")


@pytest.mark.django_db
def test_rows_match_the_plain_queryset_for_each_value_and_shape(seeded):
    prepared = Prepared(_members)
    people = list(Person.objects.values_list("pk", flat=True)[:5])
    for body in Body.objects.all()[:4]:
        for on in (dt.date(2020, 1, 1), dt.date(2025, 6, 1)):
            for ids in (None, [], people, people[:1]):
                plain = list(_members(body.pk, on, ids))
                got = prepared(body_id=body.pk, on=on, ids=ids)
                assert [m.pk for m in got] == [m.pk for m in plain]
                assert [(m.person.full_name, m.member_state_id) for m in got] == [
                    (m.person.full_name, m.member_state_id) for m in plain
                ]


@pytest.mark.django_db
def test_values_strings_and_repeated_arguments(seeded):
    prepared = Prepared(
        lambda acronym, body_id: (
            Body.objects.filter(Q(acronym=acronym) | Q(pk=body_id))
            .order_by("pk")
            .values_list("pk", "acronym")
        )
    )
    body = Body.objects.order_by("pk").last()
    assert prepared(acronym="ACCMSME", body_id=body.pk) == list(
        Body.objects.filter(Q(acronym="ACCMSME") | Q(pk=body.pk)).order_by("pk").values_list("pk", "acronym")
    )
    assert prepared(acronym="NOPE", body_id=-1) == []


@pytest.mark.django_db
def test_a_lookup_that_rewrites_its_value_falls_back_to_the_plain_queryset(seeded):
    prepared = Prepared(lambda part: Body.objects.filter(acronym__contains=part).order_by("pk"))
    assert [b.pk for b in prepared(part="SME")] == [
        b.pk for b in Body.objects.filter(acronym__contains="SME").order_by("pk")
    ]
    assert [b.pk for b in prepared(part="zzz")] == []


@pytest.mark.django_db
def test_one_query_per_call(seeded, django_assert_num_queries):
    prepared = Prepared(lambda body_id: Body.objects.filter(pk=body_id))
    body = Body.objects.first()
    prepared(body_id=body.pk)
    with django_assert_num_queries(1):
        assert prepared(body_id=body.pk)[0].acronym == body.acronym


def test_arguments_of_another_type_are_refused():
    with pytest.raises(TypeError):
        Prepared(lambda body: Body.objects.filter(pk=body.pk))(body=object())


@pytest.mark.django_db
def test_compiled_once_per_shape(seeded):
    built = []

    def build(body_id):
        built.append(body_id)
        return Body.objects.filter(pk=body_id)

    prepared = Prepared(build)
    for body in Body.objects.all()[:3]:
        prepared(body_id=body.pk)
    assert len(built) == 1  # once, with stand-ins; every call after binds its own id


@pytest.mark.django_db
def test_count_matches_the_plain_count_slicing_included(seeded, django_assert_num_queries):
    def build(above, cap):
        qs = Body.objects.filter(pk__gt=above).order_by().values("pk")
        return qs[:cap] if cap else qs

    capped = Prepared(lambda above: build(above, 3))
    whole = Prepared(lambda above: build(above, None))
    rewrites = Prepared(lambda part: Body.objects.filter(acronym__contains=part))
    pks = sorted(Body.objects.values_list("pk", flat=True))
    assert len(pks) > 4  # so the cap below is reached, not just passed
    for above in (0, pks[-3], pks[-1]):
        assert capped.count(above=above) == build(above, 3).count()
        assert whole.count(above=above) == build(above, None).count()
    assert [capped.count(above=0), whole.count(above=0), whole.count(above=pks[-1])] == [3, len(pks), 0]
    assert rewrites.count(part="SME") == Body.objects.filter(acronym__contains="SME").count() > 0
    with django_assert_num_queries(1):
        capped.count(above=0)


@pytest.mark.django_db
def test_columns_with_converters_come_back_converted_call_after_call(seeded):
    """The plan keeps its select's converters (a JSON column's decoder here) and applies them every run,
    for values and for models; another question about converters is still worked out."""
    values = Prepared(lambda body_id: Body.objects.filter(pk=body_id).values_list("pk", "reminder_days"))
    models = Prepared(lambda body_id: Body.objects.filter(pk=body_id))
    for body in Body.objects.all()[:3]:
        for _ in range(2):
            assert values(body_id=body.pk) == [(body.pk, body.reminder_days)]
            assert models(body_id=body.pk)[0].reminder_days == body.reminder_days
    assert isinstance(Body.objects.first().reminder_days, list | dict)  # a decoded value, not its text
