"""The events package: PLOVER types, flags, attribution, actors and the `extract events` output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dossier.events import classify, coding, extract, model
from dossier.events.lexicon import TYPES

from .conftest import SHARED, shared


@pytest.fixture(scope="module")
def nlp():
    return extract.load_nlp()


def events(nlp, text):
    doc = nlp(text)
    out = []
    for s in doc.sents:
        out.extend(extract.extract_sentence(s))
    return out


def first(nlp, text):
    evs = events(nlp, text)
    assert evs, f"no event in {text!r}"
    return evs[0]


CLEAR = {
    "AGREE": "Egypt and Sudan agreed to resume oil shipments next month.",
    "CONSULT": "The Chinese foreign minister met his Indian counterpart in Beijing on Tuesday.",
    "SUPPORT": "The Kenyan president praised Ethiopia for its role in the peace process.",
    "CONCEDE": "The Thai government lifted the curfew in Bangkok on Sunday.",
    "COOPERATE": "Spain extradited two Colombian suspects to Colombia on Friday.",
    "AID": "Japan donated medical supplies to Nepal after the earthquake.",
    "RETREAT": "Rebel forces withdrew from the northern town of Kidal on Monday.",
    "REQUEST": "The opposition demanded the release of all political prisoners.",
    "ACCUSE": "Pakistan accused India of violating the ceasefire in Kashmir.",
    "REJECT": "Iran rejected a European proposal for new nuclear talks.",
    "THREATEN": "North Korea threatened to attack South Korean warships.",
    "PROTEST": "Thousands of farmers demonstrated in New Delhi against the new farm laws.",
    "SANCTION": "The European Union imposed sanctions on Belarus on Monday.",
    "MOBILIZE": "Armenia deployed troops along its border with Azerbaijan.",
    "COERCE": "Turkish police arrested 40 journalists in Istanbul on Friday.",
    "ASSAULT": "Syrian warplanes bombed rebel positions near Aleppo, killing 12 fighters.",
}


@pytest.mark.parametrize("etype", TYPES)
def test_a_clear_sentence_of_each_type(nlp, etype):
    assert first(nlp, CLEAR[etype]).type == etype


def test_modes_of_the_codebook(nlp):
    assert first(nlp, "Police arrested 40 protesters in Lagos.").mode == "arrest"
    assert first(nlp, "A suicide bomber killed 20 people at a market in Kabul.").mode == "suicide-attack"
    assert first(nlp, "Workers at the port went on strike on Monday.").mode == "strike"
    assert first(nlp, "The French president telephoned the Russian president on Friday.").mode == "phone"
    assert first(nlp, "Chile and Peru agreed to a truce.").mode is None


def test_negation(nlp):
    e = first(nlp, "Russia did not agree to the proposed ceasefire.")
    assert (e.type, e.negated) == ("AGREE", True)
    assert first(nlp, "The two sides reached no agreement on the border.").negated
    assert not first(nlp, "The two sides reached an agreement on the border.").negated
    refusal = first(nlp, "Syria says it will not accept any more refugees.")
    assert (refusal.type, refusal.negated) == ("REJECT", False)  # a negated intent is a refusal, not a non-event


def test_hypothetical_and_future(nlp):
    threat = first(nlp, "Iran threatened to cut off gas supplies to Turkey.")
    assert (threat.type, threat.hypothetical) == ("THREATEN", True)
    promise = first(nlp, "Germany will provide 50 million euros in aid to Ukraine.")
    assert (promise.type, promise.hypothetical) == ("AGREE", True)
    conditional = first(nlp, "Ghana said it would withdraw its troops from Mali unless the junta held elections.")
    assert conditional.type == "THREATEN" and conditional.hypothetical
    demand = first(nlp, "The union demanded that the government raise wages.")
    assert (demand.type, demand.hypothetical) == ("REQUEST", True)
    done = first(nlp, "Israeli soldiers arrested 30 Palestinians in Hebron on Saturday.")
    assert (done.type, done.hypothetical) == ("COERCE", False)


def test_attribution_with_offsets_in_sentence_and_document(nlp):
    text = "Markets were calm. The army shelled the town of Marib on Sunday, according to Reuters."
    doc = nlp(text)
    evs = extract.extract_doc(doc, base=100)
    e = next(x for x in evs if x.type == "ASSAULT")
    (att,) = e.said_by
    assert att["text"] == "Reuters"
    assert att["span"]["text"] == "according to Reuters"
    sent = e.sentence
    assert sent.text == text[sent.doc_start - 100:sent.doc_end - 100]
    assert sent.text[att["start"]:att["end"]] == "Reuters"
    assert text[att["span"]["doc_start"] - 100:att["span"]["doc_end"] - 100] == "according to Reuters"
    assert text[e.trigger.doc_start - 100:e.trigger.doc_end - 100] == "shelled"
    assert text[e.source.doc_start - 100:e.source.doc_end - 100] == e.source.text == "army"


def test_reporting_verbs_are_attributions_not_events(nlp):
    e = first(nlp, "Lavrov said Russia had expelled two Estonian diplomats.")
    assert e.type == "SANCTION"
    assert [a["text"] for a in e.said_by] == ["Lavrov"]
    assert e.source.country == "RUS" and e.target.country == "EST"
    trailing = first(nlp, "Jordan and Egypt have agreed to hold joint exercises, a Jordanian official said.")
    assert [a["text"] for a in trailing.said_by] == ["a Jordanian official"]
    assert trailing.source.text == "Jordan"  # reciprocal: one side each
    assert trailing.target.text == "Egypt"


def test_passive_voice_source_and_target(nlp):
    e = first(nlp, "A refugee camp in Chad was attacked by Sudanese militiamen on Monday.")
    assert e.type == "ASSAULT"
    assert (e.source.country, e.target.country) == ("SDN", "TCD")
    e = first(nlp, "The former Peruvian president was charged by prosecutors with corruption.")
    assert e.type == "ACCUSE"
    assert e.target.country == "PER" and e.source.sector == "JUD"


def test_compound_actor_and_target_inside_an_object(nlp):
    e = first(nlp, "Russia and China threatened to block a British resolution at the Security Council.")
    assert e.type == "THREATEN"
    assert e.source.text == "Russia and China" and e.source.country == "RUS"
    e = first(nlp, "Bangladesh rejected an Indian proposal for a trade agreement.")
    assert (e.type, e.target.text, e.target.country) == ("REJECT", "Indian", "IND")


def test_code_actor():
    assert coding.code_actor("Egyptian police") == ("EGY", "COP")
    assert coding.code_actor("the Kremlin")[0] == "RUS"
    assert coding.code_actor("U.N. Secretary-General Kofi Annan")[0] == "IGO"
    assert coding.code_actor("Rebels in the Ivory Coast") == ("CIV", "REB")
    assert coding.code_actor("a prominent anti-Syria journalist")[0] is None
    assert coding.code_actor(None) == (None, None)


def test_events_for_document_reuses_the_parse(nlp, monkeypatch):
    from dossier.document import Document

    text = "Police arrested 12 students in Dhaka on Monday. Nothing else happened."
    d = Document(id="d1", hash="h", source="x", format="text", text=text)
    d.parsed = nlp(text)
    monkeypatch.setattr(extract, "load_nlp", lambda: pytest.fail("re-parsed a parsed document"))
    (e,) = extract.events_for_document(d)
    assert e["type"] == "COERCE" and text[e["trigger"]["doc_start"]:e["trigger"]["doc_end"]] == "arrested"


def test_extract_jsonl_is_scored_by_the_benchmark_scorer(tmp_path):
    gold_dir = shared("bench", "plover_gsr")
    lines = (gold_dir / "dev.jsonl").read_text("utf-8").splitlines()[:12]
    out = list(extract.extract_jsonl(lines))
    assert [r["id"] for r in out] == [json.loads(x)["id"] for x in lines]
    for r in out:
        assert r["events"], r
        for e in r["events"]:
            assert e["type"] in TYPES
            assert set(e) >= {"type", "mode", "source", "target"}
        confs = [e["confidence"] for e in r["events"]]
        assert confs[0] == max(confs)
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in out), "utf-8")
    sys.path.append(str(SHARED / "bench" / "score"))
    try:
        import plover
    finally:
        sys.path.remove(str(SHARED / "bench" / "score"))
    gold = plover.load_gold(str(gold_dir))
    scored = plover.score(plover.load_pred(str(pred), gold), gold)
    assert scored["n"] == 179 and scored["no_event"] == 179 - 12


def test_classify_ranks_all_types_with_confidences(nlp):
    sent = next(nlp("Colombia recalled its ambassador from Venezuela.").sents)
    ranked = classify.classify_sentence(sent, top=16)
    assert ranked[0].type == "SANCTION"
    assert sorted(r.type for r in ranked) == sorted(TYPES)
    assert abs(sum(r.confidence for r in ranked) - 1.0) < 1e-4


def test_shipped_model_is_small_and_training_is_deterministic():
    path = Path(model.__file__).resolve().parents[1] / "data" / "events_model.json"
    assert path.stat().st_size < 5_000_000
    m = model.load_model()
    assert m.W.shape[1] == len(TYPES) and m.meta.get("script") == "scripts/train_events.py"
    X = [[("bias", 1.0), ("w=attack", 1.0)], [("bias", 1.0), ("w=meet", 1.0)], [("bias", 1.0), ("w=rally", 1.0)]]
    y = ["ASSAULT", "CONSULT", "PROTEST"]
    a = model.train(X, y, steps=30, bits=12)
    b = model.train(X, y, steps=30, bits=12)
    assert a.to_json() == b.to_json()
    assert TYPES[int(a.predict([("bias", 1.0), ("w=attack", 1.0)]).argmax())] == "ASSAULT"


def test_events_after_an_ner_only_nlp_stage_parse_candidate_sentences(monkeypatch):
    """The nlp stage runs NER + sentence segmenter only: the events parse just the sentences that may hold one."""
    import spacy

    from dossier.document import Document

    ner = spacy.load(extract.SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    if "senter" in ner.disabled:
        ner.enable_pipe("senter")
    text = ("The weather was mild on Sunday. Iran threatened to close the Strait of Hormuz to US tankers. "
            "The match ended in a draw.")
    d = Document(id="d2", hash="h", source="x", format="text", text=text)
    d.parsed = ner(text)
    monkeypatch.setattr(extract, "load_nlp", lambda: pytest.fail("parsed the whole document again"))
    (e,) = extract.events_for_document(d)
    assert e["type"] == "THREATEN" and e["hypothetical"]
    assert text[e["trigger"]["doc_start"]:e["trigger"]["doc_end"]] == "threatened"
    assert text[e["source"]["doc_start"]:e["source"]["doc_end"]] == "Iran"
    assert e["target"]["country"] == "USA"
    assert not extract.candidate_sentence("The match ended in a draw.")
