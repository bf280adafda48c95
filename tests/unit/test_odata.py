"""The OData query-option grammar on its own: what parses, what is refused and where."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, DateTime, Integer, String, column, table
from sqlalchemy.dialects import postgresql, sqlite

from finbatch.formats import odata, odata_urls
from finbatch.odata_query import like_pattern, order_by, where_clause

T = table("t", column("id", String), column("no", String), column("n", Integer),
          column("amount", Integer), column("flag", Boolean), column("at", DateTime),
          column("day", String), column("ref", String))
ENTITY = odata.EntityType("Test", "Thing", "id", (
    odata.Property("id", odata.Kind.GUID, T.c.id, nullable=False),
    odata.Property("no", odata.Kind.STRING, T.c.no),
    odata.Property("n", odata.Kind.INT32, T.c.n),
    odata.Property("amount", odata.Kind.DECIMAL, T.c.amount, exponent=2),
    odata.Property("flag", odata.Kind.BOOLEAN, T.c.flag),
    odata.Property("at", odata.Kind.DATETIME, T.c.at),
    odata.Property("day", odata.Kind.DATE, T.c.day),
    odata.Property("ref", odata.Kind.STRING, T.c.ref),
    odata.Property("label", odata.Kind.STRING, None),
))
GUID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


def parse(**options: str) -> odata.QueryOptions:
    return odata.parse_query(list(options.items()), ENTITY)


def refused(**options: str) -> odata.ODataError:
    with pytest.raises(odata.ODataError) as caught:
        parse(**options)
    assert caught.value.status == 400
    return caught.value


def sql(condition, dialect=postgresql.dialect()) -> str:
    return str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def filter_of(text: str) -> odata.Node:
    return parse(**{"$filter": text}).filter


# --- $filter: what is accepted -------------------------------------------------------------------

def test_eq_literals_are_typed_by_the_property():
    assert filter_of("no eq 'A-1'") == odata.Eq(ENTITY.get("no"), "A-1")
    assert filter_of("no eq 'O''Brien'").value == "O'Brien"
    assert filter_of("n eq -3").value == -3
    assert filter_of("amount eq 12.5").value == Decimal("12.5")
    assert filter_of("flag eq true").value is True
    assert filter_of(f"id eq {GUID}").value == GUID
    assert filter_of(f"id eq '{GUID.upper()}'").value == GUID
    assert filter_of("at eq 2026-03-01T10:15:00.1234567+02:00").value == \
        datetime(2026, 3, 1, 8, 15, 0, 123456, tzinfo=UTC)
    assert filter_of("day eq 2026-03-01").value == date(2026, 3, 1)
    assert filter_of("day eq 2026-03-01T00:00:00Z").value == date(2026, 3, 1)
    assert filter_of("day eq 2026-03-01T09:00:00Z").value is odata.NO_MATCH
    assert filter_of("no eq null").value is None
    assert filter_of("n eq 3000000000").value is odata.NO_MATCH  # beyond Edm.Int32


def test_and_binds_tighter_than_or_and_parentheses_group():
    node = filter_of("no eq 'a' or no eq 'b' and n eq 1")
    assert isinstance(node, odata.Or) and isinstance(node.terms[1], odata.And)
    grouped = filter_of("(no eq 'a' or no eq 'b') and n eq 1")
    assert isinstance(grouped, odata.And) and isinstance(grouped.terms[0], odata.Or)
    assert isinstance(filter_of("contains(no, 'x') AND contains(ref,'y')"), odata.And)


def test_one_hundred_expressions_are_allowed():
    options = parse(**{"$filter": " or ".join(f"n eq {i}" for i in range(100))})
    assert options.filter_expressions == 100


# --- $filter: what is refused --------------------------------------------------------------------

@pytest.mark.parametrize("text,operator", [
    ("n gt 1", "gt"), ("n ge 1", "ge"), ("n lt 1", "lt"), ("n le 1", "le"), ("no ne 'a'", "ne"),
    ("no in ('a','b')", "in"), ("not no eq 'a'", "not"), ("n add 1 eq 2", "add"),
    ("no eq 'a' and n gt 1", "gt"), ("(n lt 5)", "lt"),
])
def test_other_operators_are_refused_by_name(text, operator):
    error = refused(**{"$filter": text})
    assert error.code == "UNSUPPORTED_OPERATOR"
    assert f"'{operator}'" in error.message
    assert error.extra["target"] == "$filter" and error.extra["position"] == text.index(operator)


@pytest.mark.parametrize("function", ["startswith", "endswith", "tolower", "length", "year"])
def test_other_functions_are_refused_by_name(function):
    error = refused(**{"$filter": f"{function}(no,'a')"})
    assert error.code == "UNSUPPORTED_FUNCTION" and f"'{function}'" in error.message


def test_a_hundred_and_one_expressions_are_refused():
    error = refused(**{"$filter": " or ".join(f"n eq {i}" for i in range(101))})
    assert error.code == "TOO_MANY_EXPRESSIONS" and "100" in error.message
    contains = refused(**{"$filter": " and ".join(["contains(no,'a')"] * 101)})
    assert contains.code == "TOO_MANY_EXPRESSIONS"


def test_unknown_and_unqueryable_properties_are_refused():
    error = refused(**{"$filter": "color eq 'red'"})
    assert error.code == "UNKNOWN_PROPERTY"
    assert error.message == "Could not find a property named 'color' on type 'Test.Thing'."
    assert "Did you mean 'no'?" in refused(**{"$filter": "No eq 'a'"}).message
    assert refused(**{"$filter": "label eq 'a'"}).code == "UNSUPPORTED_PROPERTY"
    assert refused(**{"$filter": "a/b eq 1"}).code == "UNKNOWN_PROPERTY"


@pytest.mark.parametrize("text,position,fragment", [
    ("no eq", 5, "expected a literal value"),
    ("no eq 'abc", 6, "not terminated"),
    ("(no eq 'a'", 10, "expected ')'"),
    ("no = 'a'", 3, "unexpected character '='"),
    ("no eq 'a' no eq 'b'", 10, "expected 'and', 'or'"),
    ("contains(no 'a')", 12, "expected ','"),
    ("contains(no,'a') eq true", 17, "expected 'and', 'or'"),
    ("eq 'a'", 3, "expected 'eq' after 'eq'"),
    ("'a' eq no", 0, "expected a property name"),
    ("", 0, "empty"),
    ("no eq 'a' and", 13, "expected a property name"),
])
def test_syntax_errors_name_the_position(text, position, fragment):
    error = refused(**{"$filter": text})
    assert error.code in ("QUERY_SYNTAX_ERROR", "UNKNOWN_PROPERTY")
    if error.code == "QUERY_SYNTAX_ERROR":
        assert error.extra["position"] == position
        assert f"Syntax error at position {position}" in error.message
        assert fragment in error.message


def test_literals_of_the_wrong_type_are_refused():
    for text in ("n eq 'one'", "n eq 1.5", "flag eq 1", "no eq 5", "id eq 'nope'",
                 "contains(n,'1')", "contains(no, 5)", "day eq 'x'"):
        assert refused(**{"$filter": text}).code in ("TYPE_MISMATCH", "QUERY_SYNTAX_ERROR"), text


def test_deep_nesting_is_refused():
    error = refused(**{"$filter": "(" * 40 + "n eq 1" + ")" * 40})
    assert error.code == "QUERY_SYNTAX_ERROR" and "nested" in error.message


# --- the other options ---------------------------------------------------------------------------

def test_orderby_up_to_five_with_directions():
    options = parse(**{"$orderby": "no desc, n asc,amount,flag DESC ,at"})
    assert [(i.prop.name, i.descending) for i in options.orderby] == [
        ("no", True), ("n", False), ("amount", False), ("flag", True), ("at", False)]


def test_orderby_limits_and_errors():
    assert refused(**{"$orderby": "no,n,amount,flag,at,ref"}).code == "TOO_MANY_EXPRESSIONS"
    assert refused(**{"$orderby": "color"}).code == "UNKNOWN_PROPERTY"
    error = refused(**{"$orderby": "no sideways"})
    assert error.code == "QUERY_SYNTAX_ERROR" and error.extra["position"] == 3
    assert refused(**{"$orderby": "no,"}).code == "QUERY_SYNTAX_ERROR"
    assert refused(**{"$orderby": "label"}).code == "UNSUPPORTED_PROPERTY"


def test_top_and_skip():
    assert parse().top == 20 and parse().skip == 0
    assert parse(**{"$top": "5000", "$skip": "40"}).top == 5000
    error = refused(**{"$top": "5001"})
    assert error.code == "TOP_LIMIT_EXCEEDED"
    assert error.message == ("The limit for the $top query has been exceeded. The value from the "
                             "incoming request is '5001'.")
    huge = "9" * 5000
    assert refused(**{"$top": huge}).message.endswith(f"'{huge}'.")
    for bad in ("-1", "ten", "1.5", ""):
        assert refused(**{"$top": bad}).code == "INVALID_QUERY_OPTION"
        assert refused(**{"$skip": bad}).code == "INVALID_QUERY_OPTION"
    assert refused(**{"$skip": "99999999999"}).code == "INVALID_QUERY_OPTION"


def test_select_search_format_and_count():
    assert parse(**{"$select": "no, n,no"}).select == ("no", "n")
    assert parse(**{"$select": "*"}).select is None
    assert refused(**{"$select": "no,color"}).code == "UNKNOWN_PROPERTY"
    assert refused(**{"$select": "no,,n"}).code == "QUERY_SYNTAX_ERROR"
    assert parse(**{"$search": ' "50% off" '}).search == "50% off"
    assert parse(**{"$search": "  "}).search is None
    assert parse(**{"$format": "json"}).metadata == "minimal"
    assert parse(**{"$format": "application/json;odata.metadata=none"}).metadata == "none"
    assert parse(**{"$format": "application/json; odata.metadata=FULL"}).metadata == "full"
    assert refused(**{"$format": "xml"}).code == "UNSUPPORTED_FORMAT"
    assert refused(**{"$format": "application/json;odata.metadata=lots"}).code == \
        "UNSUPPORTED_FORMAT"
    assert parse(**{"$count": "true"}).top == 20
    assert refused(**{"$count": "maybe"}).code == "INVALID_QUERY_OPTION"
    accept = odata.parse_query([], ENTITY, accept="application/json;odata.metadata=none")
    assert accept.metadata == "none"


def test_unsupported_repeated_and_single_entity_options():
    assert refused(**{"$expand": "lines"}).code == "UNSUPPORTED_QUERY_OPTION"
    assert refused(**{"$apply": "x"}).code == "UNSUPPORTED_QUERY_OPTION"
    with pytest.raises(odata.ODataError) as repeated:
        odata.parse_query([("$top", "1"), ("$TOP", "2")], ENTITY)
    assert repeated.value.code == "DUPLICATE_QUERY_OPTION"
    with pytest.raises(odata.ODataError) as single:
        odata.parse_query([("$filter", "n eq 1")], ENTITY, allowed=odata.ENTITY_OPTIONS)
    assert "single entity" in single.value.message
    assert odata.parse_query([("api-version", "1.0"), ("x", "y")], ENTITY).filter is None


# --- SQL -----------------------------------------------------------------------------------------

def test_filter_compiles_to_bound_parameters_only():
    condition = where_clause(parse(**{"$filter": "no eq 'x'' OR 1=1 --'"}), ENTITY)
    compiled = condition.compile(dialect=postgresql.dialect())
    assert "OR 1=1" not in str(compiled)
    assert compiled.params == {"no_1": "x' OR 1=1 --"}


def test_amounts_compare_in_minor_units():
    assert sql(where_clause(parse(**{"$filter": "amount eq 12.5"}), ENTITY)) == "t.amount = 1250"
    assert sql(where_clause(parse(**{"$filter": "amount eq 12.505"}), ENTITY)) == "false"


def test_contains_escapes_wildcards_and_folds_ascii_only():
    assert like_pattern("50%_Off\\É") == "%50\\%\\_off\\\\É%"
    condition = where_clause(parse(**{"$filter": "contains(no,'A_b')"}), ENTITY)
    assert "translate(t.no, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'" in sql(condition)
    assert "lower(t.no) LIKE" in sql(condition, sqlite.dialect())
    assert "ESCAPE '\\'" in sql(condition, sqlite.dialect())


def test_search_covers_every_searchable_string_and_combines_with_filter():
    condition = where_clause(parse(**{"$search": "gauze", "$filter": "n eq 1"}), ENTITY)
    text = sql(condition, sqlite.dialect())
    assert "lower(t.no)" in text and "lower(t.ref)" in text and "t.n = 1" in text


def test_order_always_ends_with_the_key_and_places_nulls():
    clauses = order_by(parse(**{"$orderby": "no desc"}), ENTITY)
    texts = [sql(c, sqlite.dialect()) for c in clauses]
    assert texts == ["(t.no) COLLATE BINARY DESC NULLS LAST", "t.id ASC NULLS FIRST"]
    assert sql(clauses[0]) == '(t.no) COLLATE "C" DESC NULLS LAST'
    keyed = order_by(parse(**{"$orderby": "id desc"}), ENTITY)
    assert len(keyed) == 1


# --- links and keys ------------------------------------------------------------------------------

def test_next_link_repeats_options_and_advances_skip():
    params = [("$filter", "no eq 'a b'"), ("$top", "10"), ("$skip", "10"), ("api-version", "1.0")]
    options = odata.parse_query(params, ENTITY)
    link = odata_urls.next_link("http://h/odata/Things", params, options, total=35)
    assert link == ("http://h/odata/Things?$filter=no%20eq%20%27a%20b%27&$top=10"
                    "&api-version=1.0&$skip=20")
    assert odata_urls.next_link("http://h/x", params, options, total=20) is None
    zero = odata.parse_query([("$top", "0")], ENTITY)
    assert odata_urls.next_link("http://h/x", [("$top", "0")], zero, total=5) is None


def test_keys_and_context():
    assert odata_urls.parse_key(GUID, "id") == GUID
    assert odata_urls.parse_key(f"'{GUID}'", "id") == GUID
    assert odata_urls.parse_key(f"id={GUID}", "id") == GUID
    for bad in ("1", "abc", f"other={GUID}", GUID.replace("-", ""), ""):
        assert odata_urls.parse_key(bad, "id") is None
    assert odata_urls.context_url("http://h/odata", "Things", select=("no", "n")) == \
        "http://h/odata/$metadata#Things(no,n)"
    assert odata_urls.context_url("http://h/odata", "Things", entity=True) == \
        "http://h/odata/$metadata#Things/$entity"


# --- any text --------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("noamuflagtdyrefid ()',-.:0123456789eqcontainsrdT+Z%_\\\x00É"))


@settings(max_examples=300, deadline=None)
@given(filter_text=st.text(_ALPHABET, max_size=60), orderby=st.text(_ALPHABET, max_size=30),
       top=st.text(_ALPHABET, max_size=6))
def test_any_text_either_parses_or_is_a_400(filter_text, orderby, top):
    for name, value in (("$filter", filter_text), ("$orderby", orderby), ("$top", top),
                        ("$select", orderby), ("$search", filter_text)):
        try:
            options = odata.parse_query([(name, value)], ENTITY)
        except odata.ODataError as error:
            assert error.status == 400 and error.message
            continue
        condition = where_clause(options, ENTITY)
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            if condition is not None:
                condition.compile(dialect=dialect)
            for clause in order_by(options, ENTITY):
                clause.compile(dialect=dialect)
