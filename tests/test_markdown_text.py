from indexer.markdown_text import clean_markdown


def test_documentation_markup_is_reduced_to_visible_text():
    source = (
        '# CreateEndpoint<a name="API_CreateEndpoint"></a>\n'
        "Creates an endpoint\\. See [CreateEndpointConfig](https://docs.aws.amazon.com/x/API_CreateEndpointConfig.html) "
        "and ![diagram](img/a.png) \\(ML compute instances\\) for K\\-Means\\.\n"
    )
    assert clean_markdown(source) == (
        "# CreateEndpoint\nCreates an endpoint. See CreateEndpointConfig and diagram (ML compute instances) for K-Means.\n"
    )


def test_line_count_is_kept():
    source = "a [b](c)\n\n<br>\nd\\_e\n"
    assert clean_markdown(source).count("\n") == source.count("\n")


def test_links_with_parentheses_in_the_target_and_reference_links():
    assert clean_markdown("see [docs](https://x/a_(b).html) or [ref][1]") == "see docs or ref"


def test_plain_text_and_comparisons_are_untouched():
    text = "accuracy < 0.9 and recall > 0.8; use a <b>bold</b> move"
    assert clean_markdown(text) == "accuracy < 0.9 and recall > 0.8; use a bold move"
