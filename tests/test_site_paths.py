from pipeline.publish.site import page_for_iri, relative_href

B, D = "https://x.org/id/", "https://x.org/def/"


def test_data_iris_have_pages_under_id_and_entries_sit_on_their_source_entry_list():
    assert page_for_iri(B + "service/a/s", B, D) == ("id/service/a/s.html", "")
    assert page_for_iri(B + "source/002", B, D) == ("id/source/002.html", "")
    assert page_for_iri(B + "source/002/sha256", B, D) == ("id/source/002.html", "sha256")
    assert page_for_iri(B + "entry/S/E/location/1", B, D) == ("id/entry/S.html", "E-location-1")


def test_ontology_terms_are_anchors_and_concepts_have_pages_under_def():
    assert page_for_iri(D + "ontology#Entry", B, D) == ("def/ontology.html", "Entry")
    assert page_for_iri(D + "audience", B, D) == ("def/audience.html", "")
    assert page_for_iri(D + "audience/individual", B, D) == ("def/audience/individual.html", "")
    assert page_for_iri("http://purl.org/dc/terms/title", B, D) is None


def test_links_between_pages_are_relative():
    assert relative_href("id/service/a/s.html", "def/audience/individual.html") == "../../../def/audience/individual.html"
    assert relative_href("index.html", "id/entry/S.html", "E-cell-name") == "id/entry/S.html#E-cell-name"
