"""The events stage's parse-free reader (dossier/events/surface/): what it reads from sentences, through the real
nlp, actors and timex stages; the reader switch; ``dossier extract events --reader surface``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dossier import pipeline
from dossier.document import Document
from dossier.events import stage as events_stage
from dossier.events.surface import events_of_document


def read(text: str) -> list[dict]:
    doc = Document(id="t", hash="h", source="t.txt", format="text", text=text)
    doc = pipeline.run_one(doc, pipeline.stages(["nlp", "actors", "timex"]))
    out = [e.to_dict() for e in events_of_document(doc)]
    for e in out:  # every span is where it says it is
        for part in (e["trigger"], e["sentence"], e["source"], e["target"], e["date"]):
            if part:
                assert doc.text[part["doc_start"]:part["doc_end"]] == part["text"]
        for a in e["said_by"]:
            assert doc.text[a["doc_start"]:a["doc_end"]] == a["text"]
    return out


def first(events: list[dict], trigger: str) -> dict:
    return next(e for e in events if e["trigger"]["text"] == trigger)


def side(e: dict, role: str) -> str | None:
    return (e[role] or {}).get("country")


def test_subject_verb_object_with_date_and_attribution():
    e = first(read("WASHINGTON (Reuters) Senior U.S. officials traveled to Venezuela on Saturday for talks with "
                   "the government, according to a person familiar with the matter."), "traveled")
    assert (e["type"], side(e, "source"), side(e, "target")) == ("CONSULT", "USA", "VEN")
    assert e["source"]["text"] == "Senior U.S. officials"
    assert e["date"]["text"] == "Saturday"
    assert [a["text"] for a in e["said_by"]] == ["a person familiar with the matter"]
    assert not e["negated"] and not e["hypothetical"]


def test_reciprocal_parties_one_each_side_and_a_place_is_not_a_party():
    evs = read("In a March 1 phone call, Putin and Maduro discussed the situation in Ukraine, the Interfax news "
               "agency reported.")
    e = first(evs, "discussed")
    assert (e["type"], e["source"]["text"], e["target"]["text"]) == ("CONSULT", "Putin", "Maduro")
    assert (side(e, "source"), side(e, "target")) == ("RUS", "VEN")
    assert e["date"]["text"] == "March 1"
    assert [a["text"] for a in e["said_by"]] == ["the Interfax news agency"]


def test_passive_with_agent_and_agentless_passive():
    e = first(read("President Nicolás Maduro was captured by US forces in Caracas."), "captured")
    assert (side(e, "source"), side(e, "target")) == ("USA", "VEN")
    e = first(read("Maduro was accused of drug trafficking."), "accused")
    assert e["type"] == "ACCUSE" and e["source"] is None and side(e, "target") == "VEN"


def test_frames_demand_threat_refusal():
    e = first(read("China on Tuesday demanded that the United States cancel plans to sell weapons to Taiwan."),
              "demanded")
    assert (e["type"], side(e, "source"), side(e, "target")) == ("REQUEST", "CHN", "USA")
    assert e["hypothetical"]
    e = first(read("The Trump administration has demanded Venezuela to kick out China and Russia."), "demanded")
    assert (e["type"], side(e, "source"), side(e, "target")) == ("REQUEST", "USA", "VEN")
    e = first(read("Israel threatened to ban voting in East Jerusalem."), "threatened")
    assert e["type"] == "THREATEN" and side(e, "source") == "ISR" and e["hypothetical"]
    e = first(read("Pakistan has refused to deploy peacekeepers in Iraq."), "refused")
    assert e["type"] == "REJECT" and side(e, "source") == "PAK"


def test_negation_and_future():
    e = first(read("Russia did not sign the agreement with Venezuela."), "sign")
    assert e["negated"]
    e = first(read("Venezuela would begin sending up to 50 million barrels of oil to the US."), "sending")
    assert (e["type"], side(e, "source"), side(e, "target")) == ("AGREE", "VEN", "USA")
    assert e["hypothetical"]


def test_the_speaker_stands_for_it_and_the_source_keeps_its_own():
    e = first(read("Syria says it is willing to withdraw its troops from neighboring Lebanon."), "willing")
    assert (e["type"], side(e, "source"), side(e, "target")) == ("AGREE", "SYR", "LBN")


def test_nominal_event_between_two_parties():
    e = first(read("It would seem that the meeting between Donald Trump and Venezuelan opposition leader Maria "
                   "Corina Machado on January 15 is the choice."), "meeting")
    assert e["type"] == "CONSULT"
    assert (e["source"]["text"], side(e, "target")) == ("Donald Trump", "VEN")
    assert e["date"]["text"] == "January 15"


def test_no_event_without_an_actor_or_a_trigger():
    assert read("The weather was mild and the trains ran on time.") == []
    assert events_of_document(Document(id="e", hash="h", source="e", format="text", text="")) == []


def test_reader_switch(monkeypatch):
    monkeypatch.delenv("DOSSIER_EVENTS_READER", raising=False)
    assert events_stage.reader() == "surface"
    monkeypatch.setenv("DOSSIER_EVENTS_READER", "parse")
    assert events_stage.reader() == "parse"
    monkeypatch.setenv("DOSSIER_EVENTS_READER", "bogus")
    from dossier.errors import UsageError

    with pytest.raises(UsageError, match="DOSSIER_EVENTS_READER"):
        events_stage.reader()


def test_both_readers_find_the_seed_event(monkeypatch):
    text = "In 2024, Russia supplied more than 276 thousand tons of wheat to Venezuela."
    doc = Document(id="t", hash="h", source="t.txt", format="text", text=text)
    doc = pipeline.run_one(doc, pipeline.stages(["clean", "meta", "nlp", "actors", "timex"]))
    found = {}
    for r in ("surface", "parse"):
        monkeypatch.setenv("DOSSIER_EVENTS_READER", r)
        found[r] = [(x["type"], x["source"]["country"], x["target"]["country"], x["date"]["value"])
                    for x in events_stage.reports(doc)]
    assert found["surface"] == found["parse"] == [("AID", "RUS", "VEN", "2024")]


def run_cli(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "dossier.cli", *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_ingest_stops_on_a_wrong_reader_setting(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Russia supplied wheat to Venezuela.\n", encoding="utf-8")
    p = run_cli("ingest", str(src), "--db", str(tmp_path / "s.db"), env={"DOSSIER_EVENTS_READER": "bogus"})
    assert p.returncode == 2
    assert "DOSSIER_EVENTS_READER must be one of surface, parse" in p.stderr
    assert "Traceback" not in p.stderr


def test_extract_events_with_the_surface_reader():
    lines = "\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "Jordan and Britain have agreed to undertake joint military exercises this month."},
        {"id": "b", "text": "The sky is blue."}]) + "\n"
    p = run_cli("extract", "events", "--reader", "surface", "-", stdin=lines)
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["id"] for r in out] == ["a", "b"]
    top = out[0]["events"][0]
    assert (top["type"], top["source"]["country"], top["target"]["country"]) == ("AGREE", "JOR", "GBR")
    assert out[1]["events"] == []
    bad = run_cli("extract", "events", "--reader", "nope", "-", stdin=lines)
    assert bad.returncode == 2 and "--reader is parse or surface" in bad.stderr
