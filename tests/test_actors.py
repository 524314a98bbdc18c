"""The actors stage and cross-document resolution: actor coding, surnames, metonyms, roles, entities across
documents (a real SQLite file), and the seeds end to end through the export scorer."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from dossier import actors, nlp
from dossier.actors import resolve as R
from dossier.actors.coder import Coder
from dossier.document import Document, Published
from dossier.errors import UsageError
from dossier.pipeline import ORDER, run_one, stages

from .conftest import SHARED, shared


@pytest.fixture(scope="module", autouse=True)
def model():
    return nlp.model()


STEPS = None


def doc_of(text: str, date: str | None = "2026-01-07", doc_id: str = "dtest") -> Document:
    global STEPS
    STEPS = STEPS or stages(["nlp", "actors"])
    doc = Document(id=doc_id, hash=doc_id, source=f"{doc_id}.txt", format="text", text=text,
                   published=Published(date=date))
    return run_one(doc, STEPS)


def by_text(doc: Document, text: str) -> list[dict]:
    return [m for m in doc.annotations["mentions"] if m["text"] == text]


def db_conn(path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN")
    R.migration(conn)
    conn.execute("COMMIT")
    return conn


def resolve(conn: sqlite3.Connection, docs) -> None:
    conn.execute("BEGIN")
    R.resolve(conn, docs)
    conn.execute("COMMIT")


# -- actor coding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,country,sector", [
    ("Russia's ambassador to Poland", "RUS", "GOV"),
    ("Venezuelan opposition leader", "VEN", "OPP"),
    ("Canadian Ambassador to the United Nations", "CAN", "GOV"),
    ("Mexican authorities", "MEX", "GOV"),
    ("Pakistani Army", "PAK", "MIL"),
    ("Shanghai police", "CHN", "COP"),
    ("a Somalia-based paramilitary group", "SOM", "PRM"),
    ("soldiers", "", "MIL"),
    ("Saudi Arabia", "SAU", ""),          # a state alone has no sector (the POLECAT/NGEC convention)
    ("Palestinians", "PSE", ""),
    ("Tehran", "IRN", "GOV"),              # a capital stands for the government
    ("Sydney", "AUS", "CVL"),              # another city for its people
    ("The Pentagon", "USA", "MIL"),
    ("CIA", "USA", "SPY"),
    ("PDVSA", "VEN", "BUS"),
    ("members of SANDF", "ZAF", "MIL"),
    ("Marcus Beam", "", ""),               # an unknown private person: nothing
    ("a disgraced former minister", "", "ELI"),
])
def test_actor_coding(text, country, sector):
    code = actors.code_phrase(text)
    assert (code.country, code.sector) == (country, sector)


def test_coding_of_office_holders_follows_their_terms():
    c = Coder()
    assert [c.code("Scott Morrison", date=d).sector for d in ("2022-01-01", "2022-10-01", "2025-01-01")] \
        == ["GOV", "LEG", "ELI"]  # prime minister, then an MP until February 2024, then a former official
    assert c.code("Vladimir Putin", date="1999-01-01").sector == "SPY"  # FSB director then
    assert c.code("Trump", date="2022-04-01").country == "USA"
    assert c.code("Nicolas Maduro", date="2022-03-06").wiki == "Nicolás Maduro"


@pytest.mark.parametrize("text,country,sector", [
    # sector words: kin and members of the public are civilians, crime groups by their head noun
    ("relatives", "", "CVL"),
    ("grieving family members", "", "CVL"),
    ("netizens", "", "CVL"),
    ("car theft syndicate", "", "CRM"),
    ("a drug smuggling ring in Lagos", "NGA", "CRM"),
    # British spellings of PLOVER's American phrases, and "country" for "state"
    ("partially recognised state", "", "PRE"),
    ("partially recognized country", "", "PRE"),
    # believers as a group take their religion's code; clergy and churches stay REL
    ("Rakhine Buddhists", "MMR", "BUD"),
    ("Muslims", "", "MOS"),
    ("Coptic Christians", "", "CHR"),
    ("Buddhist monks", "", "REL"),
    ("Pope Francis", "", "REL"),
    ("Kurds", "", ""),                     # a people, not a religion: nothing
    ("Hindus", "", "HIN"),
    ("Hindu pilgrims", "", "REL"),         # not the newspaper The Hindu
    ("a reporter for The Hindu", "IND", "JRN"),
    # a voluntary body and its president: not the government
    ("President of the Chadian Human Rights League", "TCD", "SOC"),
    ("Chadian Human Rights League", "TCD", "SOC"),
    ("chairman of the Kenya Farmers Association", "KEN", "AGR"),
    ("head of the Arab League", "IGO", "IGO"),
    # manual trades are labour; peoples of one country give it
    ("Bolivian miners", "BOL", "LAB"),
    ("labourers", "", "LAB"),
    ("Tigrayan fighters", "ETH", "UAF"),
    ("Igbo separatists", "NGA", "REB"),
])
def test_sector_classes(text, country, sector):
    code = actors.code_phrase(text)
    assert (code.country, code.sector) == (country, sector)


@pytest.mark.parametrize("text,date,country,sector", [
    ("Albin Kurti", "2021-01-01", "XKX", "PTY"),       # party leader between two terms as prime minister
    ("Albin Kurti", "2021-10-01", "XKX", "GOV"),
    ("Boris Johnson", "2023-01-01", "GBR", "LEG"),     # an MP after Downing Street
    ("Rishi Sunak", "2021-01-01", "GBR", "GOV"),       # before the first office in the table: the convention
    ("UK Defence Secretary Ben Wallace", "2026-01-01", "GBR", "GOV"),  # the title the phrase states wins
    ("former Defence Secretary Ben Wallace", "2022-01-01", "GBR", "ELI"),
    ("Ayman Safadi", "2022-01-01", "JOR", "GOV"),       # foreign ministers of the Arab states
    ("Kathleen Hicks", "2022-04-01", "USA", "GOV"),     # deputy secretary of defense
    ("Jam Kamal Khan", "2021-10-01", "PAK", "GOV"),     # chief minister of Balochistan
    ("Jam Kamal Khan", "2022-10-01", "PAK", "ELI"),
    ("Khan", "2019-06-01", "PAK", "GOV"),              # still Imran Khan: chief ministers are not found by surname
    ("Tusk", "2016-01-01", "EUR", "IGO"),              # president of the European Council then
    ("Alexei Navalny", "2021-01-01", "RUS", "OPP"),     # leaders of the opposition
    ("Keir Starmer", "2022-01-01", "GBR", "PTY"),       # a party leader out of office, as Kurti above
    ("Peter Dutton", "2022-01-01", "AUS", "GOV"),       # defence minister, then Liberal leader
    ("Peter Dutton", "2023-01-01", "AUS", "PTY"),
])
def test_people_by_date(text, date, country, sector):
    code = Coder().code(text, date=date)
    assert (code.country, code.sector) == (country, sector)
    if text == "Khan":
        assert code.wiki == "Imran Khan"


def test_conventions_are_parameters():
    assert Coder({"state_alone_sector": "GOV"}).code("Saudi Arabia").sector == "GOV"
    assert Coder({"city_sector": ""}).code("Sydney").sector == ""
    assert Coder({"civil_org_sector": "NGO"}).code("Chadian Human Rights League").sector == "NGO"


def test_extract_jsonl_writes_one_line_per_input():
    lines = ['{"id": "a", "text": "French President Emmanuel Macron", "context": "", "date": null}',
             '', json.dumps({"id": "b", "text": "FSB", "context": "Russia", "date": "2020-01-01"})]
    out = list(actors.extract_jsonl(lines))
    assert out == [{"id": "a", "country": "FRA", "sector": "GOV", "wiki": "Emmanuel Macron"},
                   {"id": "b", "country": "RUS", "sector": "SPY", "wiki": "Federal Security Service"}]
    with pytest.raises(UsageError, match="line 1"):
        list(actors.extract_jsonl(["{not json"]))


# -- within one document -------------------------------------------------------------------------------------------


def test_surname_resolves_to_the_full_name_in_the_document():
    doc = doc_of("Alexander Frolov, Deputy Director General of the Institute of National Energy, said prices fell. "
                 "\"It cannot be expanded by millions of barrels,\" Frolov concluded.")
    keys = {m["key"] for m in doc.annotations["mentions"] if m["text"] in ("Alexander Frolov", "Frolov")}
    assert keys == {"p:alexander frolov"}


def test_metonyms_act_for_their_state_only_when_they_act():
    doc = doc_of("Washington imposed new sanctions. The Kremlin said Moscow would respond. Officials met in "
                 "Caracas on Saturday.\nWASHINGTON (Reuters) The talks ended.", date="2022-03-06")
    assert by_text(doc, "Washington")[0]["acts_for"] == "C:USA"
    assert by_text(doc, "Kremlin")[0]["acts_for"] == "C:RUS"
    assert by_text(doc, "Moscow")[0]["acts_for"] == "C:RUS"
    assert not by_text(doc, "Caracas")[0].get("acts_for")        # a place
    assert not by_text(doc, "WASHINGTON")[0].get("acts_for")     # a dateline


def test_people_act_for_their_state_and_are_coded_from_the_text():
    doc = doc_of("Russian Foreign Minister Sergei Lavrov called Venezuelan opposition leader Maria Corina Machado.")
    lavrov = by_text(doc, "Sergei Lavrov")[0]
    assert (lavrov["country"], lavrov["sector"], lavrov["acts_for"]) == ("RUS", "GOV", "C:RUS")
    machado = by_text(doc, "Maria Corina Machado")[0]
    assert (machado["country"], machado["sector"]) == ("VEN", "OPP") and not machado.get("acts_for")


def test_office_description_is_a_mention_of_its_holder_on_the_day():
    doc = doc_of("The kidnapping of the Venezuelan president was condemned by the Russian foreign minister.",
                 date="2026-01-20")
    pres = by_text(doc, "the Venezuelan president")[0]
    assert pres["key"] == "P:nicolas-maduro" and pres["nominal"] and pres["acts_for"] == "C:VEN"
    assert by_text(doc, "the Russian foreign minister")[0]["key"] == "P:sergei-lavrov"
    old = doc_of("The Venezuelan president spoke.", date="2010-06-01")
    assert by_text(old, "The Venezuelan president")[0]["key"] == "P:hugo-chavez"
    iran = doc_of("The Iranian president met the Saudi king.", date="2019-05-01")
    assert by_text(iran, "The Iranian president")[0]["key"] == "P:hassan-rouhani"  # head of government in Iran
    assert by_text(iran, "the Saudi king")[0]["key"] == "P:salman-bin-abdulaziz"


def test_a_surname_alone_names_an_office_holder_only_near_their_time():
    assert by_text(doc_of("Johnson said the vote would be held.", date="2020-02-01"), "Johnson")[0]["key"] == \
        "P:boris-johnson"
    assert by_text(doc_of("Johnson said the vote would be held.", date="1990-02-01"), "Johnson")[0]["key"] == \
        "ps:johnson"


def test_acronym_joins_its_expansion_in_the_document():
    doc = doc_of("The Institute of National Energy (INE) published a report. INE said output would fall.")
    keys = {m["key"] for m in doc.annotations["mentions"] if m["text"] in ("Institute of National Energy", "INE",
                                                                           "the Institute of National Energy")}
    assert len(keys) == 1


def test_roles_with_validity_from_the_text():
    doc = doc_of("Delcy Rodríguez was sworn in as acting president on January 5, 2026, after the capture. "
                 "Juan Guaidó declared himself interim president in January 2019.", date="2026-01-10")
    roles = {(r["holder"], r["role"]): r for r in doc.annotations["roles"]}
    acting = roles[("P:delcy-rodriguez", "acting president")]
    assert acting["valid_from"] == "2026-01-05" and acting["sector"] == "GOV"
    assert doc.text[acting["start"]:acting["end"]] == acting["text"]
    guaido = roles[("P:juan-guaido", "interim president")]  # known (an opposition leader), the text's role kept
    assert guaido["valid_from"] == "2019-01"


# -- across documents: a real SQLite file ---------------------------------------------------------------------------


def test_resolver_joins_a_second_batch_to_existing_entities(tmp_path):
    conn = db_conn(tmp_path / "ent.db")
    a = doc_of("President Nicolás Maduro met Alexander Frolov of the Institute of National Energy. Hugo Chávez "
               "was his predecessor. Russia and Ukraine were discussed; Vladimir Putin and Sergei Lavrov called.",
               date="2022-03-06", doc_id="da")
    resolve(conn, [a])
    first = {e["name"]: e for e in R.export_entities(conn)}
    assert {"Nicolás Maduro", "Alexander Frolov", "Hugo Chávez", "Russia", "Ukraine"} <= set(first)
    b = doc_of("Nicolas Maduro said Washington wanted oil. Maduro spoke to Frolov, the analyst.",
               date="2022-03-07", doc_id="db")
    resolve(conn, [b])
    after = {e["name"]: e for e in R.export_entities(conn)}
    for name in ("Nicolás Maduro", "Alexander Frolov"):
        assert after[name]["id"] == first[name]["id"]
        assert after[name]["document_count"] == 2
    assert {"Nicolas Maduro", "Maduro", "Nicolás Maduro"} <= set(after["Nicolás Maduro"]["aliases"])
    assert "Frolov" in after["Alexander Frolov"]["aliases"]
    ids = {n: e["id"] for n, e in after.items()}
    assert len({ids["Nicolás Maduro"], ids["Hugo Chávez"]}) == 2
    assert len({ids["Vladimir Putin"], ids["Sergei Lavrov"]}) == 2
    assert len({ids["Russia"], ids["Ukraine"]}) == 2
    # blocking keys were written, and counts agree with the mention links
    assert conn.execute("SELECT count(*) FROM entity_blocks").fetchone()[0] > 0
    mentions = list(R.export_mentions(conn))
    for e in after.values():
        mine = [m for m in mentions if m["entity"] == e["id"]]
        assert e["mention_count"] == len(mine) and e["document_count"] == len({m["doc"] for m in mine})
    washington = next(m for m in mentions if m["text"] == "Washington")
    assert washington["acts_for"] == next(e["id"] for e in after.values() if e["name"] == "United States")


def test_resolving_a_document_again_replaces_its_mentions(tmp_path):
    conn = db_conn(tmp_path / "ent.db")
    a = doc_of("Nicolás Maduro met Vladimir Putin in Moscow.", doc_id="da")
    resolve(conn, [a])
    before = list(R.export_entities(conn))
    resolve(conn, [doc_of("Nicolás Maduro met Vladimir Putin in Moscow.", doc_id="da")])
    assert list(R.export_entities(conn)) == before


def test_entities_table_and_reset(tmp_path):
    conn = db_conn(tmp_path / "ent.db")
    resolve(conn, [doc_of("Nicolás Maduro met Vladimir Putin. Maduro thanked Putin and Russia.", doc_id="da")])
    top = list(R.entities_table(conn, limit=2))
    assert [e["name"] for e in top] == ["Nicolás Maduro", "Vladimir Putin"] and top[0]["mention_count"] == 2
    gpe = [(e["name"], e["mention_count"]) for e in R.entities_table(conn, type_="GPE")]
    assert gpe == [("Russia", 1), ("Venezuela", 0)]  # the state Maduro acts for exists even before it is named
    assert [e["name"] for e in R.entities_table(conn, query="putin")] == ["Vladimir Putin"]
    conn.execute("BEGIN")
    R.reset(conn)
    conn.execute("COMMIT")
    assert list(R.export_entities(conn)) == [] and list(R.export_mentions(conn)) == []


def test_same_input_gives_the_same_ids(tmp_path):
    texts = [("d1", "Nicolás Maduro met Alexander Frolov."), ("d2", "Frolov and Maduro met Reuters reporters.")]
    outs = []
    for run in ("one", "two"):
        conn = db_conn(tmp_path / f"{run}.db")
        resolve(conn, [doc_of(t, doc_id=i) for i, t in texts])
        outs.append((list(R.export_entities(conn)), list(R.export_mentions(conn)), list(R.export_roles(conn))))
    assert outs[0] == outs[1]


# -- the seeds, end to end -------------------------------------------------------------------------------------------


def test_seeds_end_to_end_scored_by_the_export_scorer(tmp_path):
    import dossier
    from dossier.store import Store

    seeds = shared("corpus", "seeds")
    gold = SHARED / "gold" / "seeds.json"
    scorer = SHARED / "bench" / "score" / "dossier.py"
    db = str(tmp_path / "seeds.db")
    dossier.ingest([str(seeds)], db=db, stages=["clean", "meta"])
    dossier.export(db, str(tmp_path / "export"))
    out = tmp_path / "out"
    shutil.copytree(tmp_path / "export", out)
    conn = db_conn(tmp_path / "entities.db")
    steps = stages(["nlp", "actors"])
    with Store.open(db, create=False) as store:
        docs = [run_one(d, steps) for d in store.documents()]
    resolve(conn, docs)
    counts = R.write_files(conn, str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["counts"].update(counts)
    manifest["stages"] = [s for s in ORDER if s in set(manifest["stages"]) | {"nlp", "actors"}]
    (out / "manifest.json").write_text(json.dumps(manifest))
    r = subprocess.run([sys.executable, str(scorer), str(out), str(gold), "--json"], capture_output=True, text=True,
                       env={**os.environ})
    assert r.returncode == 0, r.stdout + r.stderr
    ent = json.loads(r.stdout.strip().splitlines()[-1])["entities"]
    assert ent["alias_recall"] >= 0.95
    assert ent["no_split"] == ent["distinct"] == ent["metonyms"] == ent["type"] == 1.0
    # roles: Delcy Rodríguez, acting president, with her evidence
    roles = [json.loads(x) for x in (out / "roles.jsonl").read_text().splitlines()]
    names = {json.loads(x)["id"]: json.loads(x)["name"] for x in (out / "entities.jsonl").read_text().splitlines()}
    assert any(names[r["entity"]] == "Delcy Rodríguez" and r["role"] == "acting president" and r["sector"] == "GOV"
               for r in roles)
