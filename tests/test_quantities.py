"""The quantities stage: values, units, bounds, ranges, changes, what they measure, and what is not a quantity."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dossier.document import Document
from dossier.errors import UsageError
from dossier.pipeline import run_one, stages
from dossier.quantities import extract_jsonl, find

from .conftest import shared

FIELDS = {"start", "end", "text", "value", "low", "high", "unit", "bound", "change", "about", "unit_text"}


def one(text: str, needle: str | None = None, vocabulary: str = "export") -> dict:
    """The quantity whose span covers ``needle`` (or the only one)."""
    qs = find(text, vocabulary)
    for q in qs:
        assert q["text"] == text[q["start"]:q["end"]]
    if needle is None:
        assert len(qs) == 1, qs
        return qs[0]
    i = text.index(needle)
    hits = [q for q in qs if q["start"] < i + len(needle) and i < q["end"]]
    assert len(hits) == 1, (needle, qs)
    return hits[0]


def none_over(text: str, needle: str) -> None:
    i = text.index(needle)
    hits = [q for q in find(text) if q["start"] < i + len(needle) and i < q["end"]]
    assert not hits, hits


# -- values ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit", [
    ("Reserves of 1.2 million barrels were found.", 1_200_000, "barrel"),
    ("They shipped half a million tonnes of coal.", 500_000, "tonne"),
    ("The firm booked a $3bn charge.", 3e9, "USD"),
    ("Exports of 4.5 mln tons are planned.", 4_500_000, "tonne"),
    ("Output reached 800,000 b/d in May.", 800_000, "barrel/day"),
    ("OPEC pumped 2 mb/d more.", 2_000_000, "barrel/day"),
    ("Flows hit 3.5 bcm in the quarter.", 3.5e9, "cubic_metre"),
    ("The plant adds 3.4 GW of capacity.", 3.4e9, "watt"),
    ("Some twenty-eight thousand troops massed.", 28_000, "person"),
    ("The recipe needs 1/2 pound of sugar.", 0.5, "pound"),
    ("Mining takes 278kg of ore.", 278, "kg"),
    ("The pipeline runs 1,200 kilometres.", 1200, "km"),
    ("They invested Rs 500 crore in the port.", 5e9, "INR"),
    ("It costs €5bn.", 5e9, "EUR"),
    ("Turnover was 1.23 billion shekels.", 1.23e9, "ILS"),
    ("A bond of 800,000 roubles.", 800_000, "RUB"),
    ("The wage is 40 bolivars.", 40, "VES"),
    ("The stock was worth 19 cents.", 0.19, "USD"),
    ("The price is USD1,700.", 1700, "USD"),
])
def test_values_and_units(text, value, unit):
    q = one(text)
    assert q["value"] == pytest.approx(value) and q["unit"] == unit
    assert q["low"] is None and q["high"] is None


def test_fractions_of_a_whole_are_percent():
    q = one("Nearly two-thirds of the budget went on fuel.")
    assert (q["value"], q["unit"], q["bound"], q["about"]) == (pytest.approx(66.6667, rel=1e-4), "percent", "approx",
                                                                "budget")


def test_currency_names_symbols_and_codes():
    text = "It spent 2,000 euros, £3.8bn, ¥500, 108.79 JPY, RM23.50, C$6 and 10.5 million Australian dollars."
    units = [q["unit"] for q in find(text)]
    assert units == ["EUR", "GBP", "JPY", "JPY", "MYR", "CAD", "AUD"]


def test_rates():
    assert one("Brent traded at $84 a barrel.")["unit"] == "USD/barrel"
    assert one("Gas sold at US $2.24 per mmBTU.")["unit"] == "USD/mmbtu"
    assert one("Sales grew five percent a year.")["unit"] == "percent/year"
    q = one("Supply of 12 bcm per year is planned.")
    assert (q["value"], q["unit"]) == (12e9, "cubic_metre/year")
    assert one("Prices were 20 percent a year ago.")["unit"] == "percent"  # "a year ago" is not a rate


# -- bounds, ranges, changes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, bound", [
    ("Venezuela would send up to 50 million barrels of oil.", "at_most"),
    ("Russia supplied more than 276 thousand tons of wheat.", "at_least"),
    ("Naphtha supplies exceeded 7 million barrels.", "at_least"),
    ("It involves at least 100,000 people.", "at_least"),
    ("The fee is less than $10.", "at_most"),
    ("About 600 people work there.", "approx"),
    ("Some 50 tankers waited.", "approx"),
    ("Nearly 7,000 refugees crossed.", "approx"),
    ("The field holds 96 percent of the reserves.", "exact"),
])
def test_bounds(text, bound):
    assert one(text)["bound"] == bound


def test_the_span_holds_bound_words_unit_and_what_it_measures():
    text = "In 2024, Russia supplied more than 276 thousand tons of wheat to Venezuela."
    q = one(text)
    assert q["text"] == "more than 276 thousand tons of wheat"
    assert (q["value"], q["unit"], q["bound"], q["about"], q["unit_text"]) == (276_000, "tonne", "at_least", "wheat",
                                                                                "tons")


@pytest.mark.parametrize("text, low, high, unit", [
    ("It can be increased by another 400-500 thousand barrels.", 400_000, 500_000, "barrel"),
    ("Salaries between $48,000 and $90,000 a year.", 48_000, 90_000, "USD/year"),
    ("Fines range from $250,000 to $1 million.", 250_000, 1_000_000, "USD"),
    ("The lift rose from 13.5 to 14.0 mm.", 0.0135, 0.014, "m"),
    ("There are four to five thousand people.", 4000, 5000, "person"),
    ("Costs of $10 to $15 billion.", 10e9, 15e9, "USD"),
    ("A 5-10W laser.", 5, 10, "watt"),
])
def test_ranges_are_never_summed(text, low, high, unit):
    q = one(text)
    assert q["value"] is None
    assert (q["low"], q["high"], q["unit"]) == (pytest.approx(low), pytest.approx(high), unit)


def test_a_multiplier_is_shared_only_when_it_fits():
    q = one("Claims ranged from $200 to $4 million.")
    assert (q["low"], q["high"]) == (200, 4_000_000)


def test_scores_and_year_spans_are_not_ranges():
    assert find("Bristol beat Charlton 2-1 at home.") == []
    none_over("Trade grew in 2018-2024 by 54%.", "2018-2024")


@pytest.mark.parametrize("text, change", [
    ("In 2018-2024, the trade turnover between Russia and Venezuela increased by 54%.", "up"),
    ("The index fell 3 points.", "down"),
    ("OPEC agreed to cut output by 2 million barrels per day.", "down"),
    ("Shares were up 19 cents.", "up"),
    ("The S&P 500 was down 2.1%.", "down"),
    ("In Europe: Stoxx 50 -1.3%.", "down"),
    ("They saw a 75 percent increase in usage.", "up"),
    ("Trade reached $200 million.", None),
])
def test_changes(text, change):
    assert one(text)["change"] == change


def test_a_change_then_its_level():
    qs = find("Vectura shares rose 6.5% to 164p, and revenue increased by $43.6 billion to $419.2 billion.")
    assert [(q["value"], q["unit"], q["change"]) for q in qs] == [
        (6.5, "percent", "up"), (pytest.approx(1.64), "GBP", None), (43.6e9, "USD", "up"), (419.2e9, "USD", None)]


# -- what it measures -----------------------------------------------------------------------------------------------

def test_about_from_the_of_phrase_the_counted_noun_and_the_subject():
    text = ("In 2018-2024, the trade turnover between Russia and Venezuela increased by 54%, and by the end of 2024 "
            "it amounted to $200 million. Venezuela would send up to 50 million barrels of oil. The US spent $138 "
            "billion on PMCs. Turkey moved 2,000 troops to the border. The volume of naphtha supplies from Russia "
            "exceeded 7 million barrels.")
    about = {q["text"]: q["about"] for q in find(text)}
    assert about["increased by 54%"] == "trade turnover"
    assert about["$200 million"] == "trade turnover"  # "it": the subject of the sentence before
    assert about["up to 50 million barrels of oil"] == "oil"
    assert about["$138 billion"] == "PMCs"
    assert about["2,000 troops"] == "troops"
    assert about["exceeded 7 million barrels"] == "naphtha supplies"


def test_counted_things():
    assert [(q["value"], q["unit"], q["about"]) for q in find(
        "Five joint ventures, 50 countries, 13 people, 12 tankers and dozens of other countries.")][:4] == [
        (5, "count", "joint ventures"), (50, "count", "countries"), (13, "person", None), (12, "vehicle", "tankers")]
    q = find("dozens of other countries")[0]
    assert (q["low"], q["high"], q["unit"]) == (12, 120, "count")


# -- not quantities -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, needle", [
    ("The deal was signed on March 29, 2019.", "29"),
    ("Published 1 September 2019 11:30.", "1 September"),
    ("They met at 5:00 AM and again at 17:22.", "5:00"),
    ("The meeting starts at 10pm.", "10pm"),
    ("It broke off relations in 2019.", "2019"),
    ("At the 19th meeting of the commission.", "19th"),
    ("A Boeing 737 landed.", "737"),
    ("Game 7 was tied.", "7"),
    ("Thousands of COVID-19 tests.", "19"),
    ("Call +1 202-555-0143 now.", "202"),
    ("Call (020) 7946 0018 for details.", "7946"),
    ("See page 5 and No. 10.", "5"),
    ("As a subscriber, you can gift 3 to 5 articles each month that anyone can read.", "3 to 5 articles"),
    ("Enter at least 30 characters\n0 / 30\nThank You", "30 characters"),
    ("Enter at least 30 characters\n0 / 30\nThank You", "0 / 30"),
    ("Section 427 Row 21 is in the upper deck.", "427"),
])
def test_not_quantities(text, needle):
    none_over(text, needle)


def test_durations_are_time_expressions_in_the_export_but_not_in_attributive_use():
    text = "He signed a 10-year deal and served three years in prison."
    assert [q["text"] for q in find(text)] == ["10-year"]
    assert [q["text"] for q in find(text, "newsquant")] == ["three years"]


# -- the stage and the command --------------------------------------------------------------------------------------

def test_the_stage_fills_annotations_with_the_export_fields():
    [stage] = stages(["quantities"])
    assert stage.requires == ("text",) and stage.assigns == ("annotations",)
    doc = Document(id="d1", hash="h", source="x.txt", format="text",
                   text="Venezuela would begin sending up to 50 million barrels of oil to the US.")
    doc = run_one(doc, [stage])
    [q] = doc.annotations["quantities"]
    assert set(q) == FIELDS
    assert (q["value"], q["unit"], q["bound"], q["change"], q["about"]) == (50_000_000, "barrel", "at_most", None,
                                                                            "oil")
    assert q["text"] == doc.text[q["start"]:q["end"]] == "up to 50 million barrels of oil"
    assert "quantities" in doc.stages
    empty = run_one(Document(id="d2", hash="h", source="y.txt", format="text", text="No numbers here."), [stage])
    assert empty.annotations["quantities"] == []


def test_spans_and_value_forms_hold_on_real_articles():
    corpus = shared("corpus", "guardian", "guardian.jsonl")
    n = 0
    with open(corpus, encoding="utf-8") as fh:
        for line in list(fh)[:60]:
            text = json.loads(line)["text"]
            for q in find(text):
                n += 1
                assert set(q) == FIELDS
                assert 0 <= q["start"] < q["end"] <= len(text) and q["text"] == text[q["start"]:q["end"]]
                assert (q["value"] is None) == (q["low"] is not None and q["high"] is not None)
                assert q["low"] is None or q["low"] <= q["high"]
                assert q["bound"] in ("exact", "at_least", "at_most", "approx")
                assert q["change"] in (None, "up", "down")
    assert n > 100


def test_seeds_every_gold_quantity_and_no_menu_text():
    gold = json.loads(shared("gold", "seeds.json").read_text("utf-8"))
    seeds = shared("corpus", "seeds")
    for g in gold["quantities"]:
        text = (seeds / g["file"]).read_text("utf-8")
        q = one(text, g["text"])
        if "low" in g:
            assert (q["low"], q["high"], q["value"]) == (g["low"], g["high"], None), g
        else:
            assert q["value"] == g["value"], g
        assert (q["unit"], q["bound"], q["change"]) == (g["unit"], g.get("bound", "exact"), g.get("change")), g
    for g in gold["not_quantities"]:
        none_over((seeds / g["file"]).read_text("utf-8"), g["text"])


def test_extract_jsonl_lines_and_errors():
    lines = ['{"id": "a", "text": "Shares rose 6.5% to 164p."}', "", '{"id": 7, "text": "Between 5% and 6%."}']
    out = list(extract_jsonl(lines))
    assert [r["id"] for r in out] == ["a", 7]
    assert [(q["value"], q["unit"], q["change"]) for q in out[0]["quantities"]] == [
        (6.5, "percent", "up"), (pytest.approx(1.64), "GBP", None)]
    [rng] = out[1]["quantities"]
    assert (rng["low"], rng["high"], "value" in rng) == (5, 6, False)
    with pytest.raises(UsageError, match="line 2"):
        list(extract_jsonl(['{"id": 1, "text": "x"}', "{not json"]))
    with pytest.raises(UsageError, match="line 1"):
        list(extract_jsonl(['{"id": 1}']))


def test_newsquant_vocabulary_names_units_as_the_benchmark_does():
    def units(text):
        return [(q["value"], q["unit"]) for q in find(text, "newsquant")]

    assert units("It adds 3.4 gigawatts and 20 workers.") == [(pytest.approx(3.4), "gigawatt"), (20, "worker")]
    assert units("A 50 year-old man weighed 80kg.") == [(50, "year of age"), (80, "kilogram")]
    assert units("Shares rose 6.5%.") == [(6.5, "percent")]


@pytest.mark.slow
def test_the_scorer_accepts_extract_output_on_newsquant_dev(tmp_path):
    nq = shared("bench", "newsquant")
    scorer = shared("bench", "score", "quantities.py")
    pred = tmp_path / "pred.jsonl"
    with open(nq / "dev.jsonl", encoding="utf-8") as fh, open(pred, "w", encoding="utf-8") as out:
        for row in extract_jsonl(fh):
            out.write(json.dumps(row) + "\n")
    res = subprocess.run([sys.executable, str(scorer), str(pred), str(nq), "--json"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    assert scores["sentences_predicted"] == scores["sentences"]
    assert scores["value_unit_f1"] > 0.85  # a guard against regressions; the measured figure is in bench/results
