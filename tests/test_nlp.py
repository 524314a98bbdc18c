"""The nlp stage: spaCy once per document, sentences and entity mentions with the small model's errors fixed."""

from __future__ import annotations

import pickle

import pytest

from dossier import nlp
from dossier.document import Document, Published
from dossier.pipeline import stages

from .conftest import shared


@pytest.fixture(scope="module", autouse=True)
def model():
    """spaCy is loaded once per test session (nlp.model() is cached per process)."""
    return nlp.model()


def run(text: str, date: str | None = "2026-01-07") -> Document:
    doc = Document(id="dtest", hash="h", source="test.txt", format="text", text=text, published=Published(date=date))
    return nlp.nlp_stage(doc)


def mentions(doc: Document) -> dict[str, str]:
    return {m["text"]: m["label"] for m in doc.annotations["mentions"]}


def check_spans(doc: Document) -> None:
    for m in doc.annotations["mentions"]:
        assert 0 <= m["start"] < m["end"] <= len(doc.text)
        assert doc.text[m["start"]:m["end"]] == m["text"]
    last = 0
    for s in doc.annotations["sentences"]:
        assert last <= s["start"] < s["end"] <= len(doc.text)
        assert doc.text[s["start"]:s["end"]].strip() == doc.text[s["start"]:s["end"]]
        last = s["end"]


def test_stage_is_registered_before_actors():
    from dossier.pipeline import ORDER

    names = [s.name for s in stages(ORDER[1:])]
    assert names.index("nlp") < names.index("actors")
    nlp_stage = next(s for s in stages(["nlp"]))
    assert "annotations" in nlp_stage.assigns and "text" in nlp_stage.requires


def test_title_is_taken_out_of_the_name_and_kept():
    doc = run("Venezuelan President Nicolás Maduro met Russian Foreign Minister Sergei Lavrov in Caracas.")
    ms = {m["text"]: m for m in doc.annotations["mentions"]}
    assert ms["Nicolás Maduro"]["label"] == "PERSON"
    assert ms["Sergei Lavrov"]["label"] == "PERSON"
    assert not any(t.startswith(("President", "Foreign Minister")) for t in ms)
    check_spans(doc)


def test_possessive_is_not_part_of_the_name():
    doc = run("President Joe Biden's administration has insisted it will not lift sanctions on Putin's allies.")
    ms = {m["text"]: m for m in doc.annotations["mentions"]}
    assert ms["Joe Biden"]["label"] == "PERSON" and ms["Joe Biden"].get("poss")
    assert "Putin" in ms and ms["Putin"]["label"] == "PERSON"
    assert not any(t.endswith(("'s", "’s")) for t in ms)


def test_surname_typed_as_organisation_joins_the_person():
    doc = run("The US asked Delcy Rodríguez to partner with Washington. The US is also pressuring Rodríguez to "
              "expel advisers. Maduro's government and Maduro himself were not consulted by Nicolás Maduro's aides.")
    labels = [m["label"] for m in doc.annotations["mentions"] if m["text"] in ("Rodríguez", "Maduro")]
    assert labels and set(labels) == {"PERSON"}


def test_a_surname_the_model_missed_is_found():
    doc = run("Delcy Rodriguez was recognised as acting president. On January 3, Russian Foreign Minister Sergei "
              "Lavrov held a telephone conversation with Rodriguez, expressing solidarity.")
    assert sum(1 for m in doc.annotations["mentions"] if m["text"] == "Rodriguez" and m["label"] == "PERSON") == 1


def test_outlets_acronyms_and_companies_are_organisations():
    doc = run("Izvestia reported that PDVSA and Roszarubezhneft run five joint ventures, Bloomberg said. "
              "Interfax cited the Kremlin.")
    ms = mentions(doc)
    for name in ("Izvestia", "PDVSA", "Roszarubezhneft", "Bloomberg", "Interfax"):
        assert ms.get(name) == "ORG", (name, ms)


def test_name_cut_short_is_completed():
    doc = run("Now Donald Trump is eyeing the Venezuelan political leaders, and a meeting was held at the White "
              "House with opposition leader Maria Corina Machado.")
    assert mentions(doc).get("Maria Corina Machado") == "PERSON"


def test_capital_typed_as_organisation_is_a_place():
    doc = run("Washington's intention to control Venezuela's oil industry has not affected cooperation.")
    assert mentions(doc).get("Washington") == "GPE"


def test_all_caps_heading_is_not_an_entity():
    doc = run("IN RECENT YEARS, the U.S. government has primarily shunned direct contacts with Caracas.")
    assert not any(m["text"].startswith("IN RECENT") for m in doc.annotations["mentions"])


def test_sentences_end_at_line_breaks_and_offsets_hold():
    text = "Contact base: Russia and Venezuela\nThe US actions in Venezuela have not forced Moscow to change. " \
           "Domestic companies will continue.\n\nA new line starts here"
    doc = run(text)
    sents = [text[s["start"]:s["end"]] for s in doc.annotations["sentences"]]
    assert sents[0] == "Contact base: Russia and Venezuela"
    assert sents[-1] == "A new line starts here"
    assert all("\n" not in s for s in sents)
    for m in doc.annotations["mentions"]:
        s = doc.annotations["sentences"][m["sent"]]
        assert s["start"] <= m["start"] and m["end"] <= s["end"]
    check_spans(doc)


def test_parsed_doc_is_left_for_later_stages_and_never_pickled():
    doc = run("Vladimir Putin and Nicolas Maduro discussed Ukraine.")
    assert doc.parsed is not None and doc.parsed.text == doc.text
    back = pickle.loads(pickle.dumps(doc))
    assert back.parsed is None and back.annotations == doc.annotations


def test_long_text_is_parsed_in_chunks_with_right_offsets(monkeypatch):
    monkeypatch.setattr(nlp, "CHUNK", 400)
    para = "Russian President Vladimir Putin spoke with Nicolás Maduro about oil. The Kremlin said talks went well.\n"
    text = para * 12
    doc = run(text)
    assert doc.parsed.text == text
    putin = [m for m in doc.annotations["mentions"] if m["text"] == "Vladimir Putin"]
    assert len(putin) == 12
    check_spans(doc)


def test_seed_documents_keep_the_span_invariant():
    from dossier.ingest import decode_item, read

    steps = stages(["clean", "meta", "nlp"])
    n = 0
    for item in read([str(shared("corpus", "seeds"))]):
        doc = decode_item(item, steps)
        check_spans(doc)
        n += len(doc.annotations["mentions"])
    assert n > 200


def test_batch_api_gives_what_the_stage_gives():
    texts = ["Vladimir Putin met Nicolás Maduro in Moscow.", "The Kremlin said PDVSA would keep its partners."]
    one = [run(t).annotations for t in texts]
    docs = [Document(id=f"d{i}", hash="h", source="t", format="text", text=t) for i, t in enumerate(texts)]
    assert [d.annotations for d in nlp.annotate_many(docs)] == one
    assert all(d.stages == ["nlp"] for d in docs)


def test_non_english_document_gets_no_mentions():
    doc = Document(id="dru", hash="h", source="t", format="text", text="Владимир Путин встретился с Мадуро.",
                   language="ru")
    assert nlp.nlp_stage(doc).annotations == {"sentences": [], "mentions": []}
