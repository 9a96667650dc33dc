"""Read-only SPARQL: queries answer as plain rows, updates never reach the store."""

from __future__ import annotations

import pytest

from kg import KG, SKG, QueryRefusedError
from kg.sparql import query_form


def test_select_returns_rows_of_strings_with_predeclared_prefixes(fixture_kg):
    rows = fixture_kg.sparql("SELECT ?a ?label WHERE { ?a a skg:Algorithm ; skos:prefLabel ?label } ORDER BY ?label")
    assert rows == [
        {"a": str(KG.DeepAR), "label": "DeepAR"},
        {"a": str(KG.RandomCutForest), "label": "Random Cut Forest"},
        {"a": str(KG.KNN), "label": "k-Nearest Neighbors"},
    ]


def test_unbound_variables_are_left_out(fixture_kg):
    rows = fixture_kg.sparql(
        "SELECT ?s ?former WHERE { VALUES ?s { kg:S3 kg:OpenSearchService }"
        " OPTIONAL { ?s skg:formerName ?former } } ORDER BY ?s"
    )
    assert rows == [{"s": str(KG.OpenSearchService), "former": "Amazon Elasticsearch Service"}, {"s": str(KG.S3)}]


def test_ask_and_construct(fixture_kg):
    assert fixture_kg.sparql("ASK { kg:RandomCutForest skg:usedFor kg:AnomalyDetection }") == [{"ask": "true"}]
    assert fixture_kg.sparql("ASK { kg:S3 skg:usedFor kg:AnomalyDetection }") == [{"ask": "false"}]
    rows = fixture_kg.sparql("CONSTRUCT { ?s skg:usedFor ?o } WHERE { ?s skg:usedFor ?o . FILTER(?s = kg:Forecast) }")
    assert rows == [{"s": str(KG.Forecast), "p": str(SKG.usedFor), "o": str(KG.TimeSeriesForecasting)}]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kg:S3 skg:usedFor kg:AnomalyDetection }",
        "PREFIX ex: <http://example.org/>\n# a comment\ndelete where { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR DEFAULT",
        "DROP ALL",
        "LOAD <http://example.org/data.ttl>",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_and_the_graph_is_unchanged(fixture_kg, update):
    before = len(fixture_kg.graph)
    with pytest.raises(QueryRefusedError, match="refused: the graph is read-only"):
        fixture_kg.sparql(update)
    assert len(fixture_kg.graph) == before


def test_keywords_inside_strings_iris_and_comments_do_not_count():
    query = (
        "# INSERT nothing\nPREFIX del: <http://x/DELETE#>\n"
        'SELECT ?s WHERE { ?s ?p "DROP ALL" . ?s del:x <http://x/INSERT> }'
    )
    assert query_form(query) == "SELECT"


def test_syntax_error_is_refused_with_the_parser_message(fixture_kg):
    with pytest.raises(QueryRefusedError, match="SPARQL query failed: .*") as caught:
        fixture_kg.sparql("SELECT ?s WHERE { ?s ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["", "   # only a comment", "hello world"])
def test_text_that_is_not_a_query_is_refused(fixture_kg, text):
    with pytest.raises(QueryRefusedError, match="SPARQL query"):
        fixture_kg.sparql(text)
