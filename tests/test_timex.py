"""The timex stage: time expressions with TIMEX3 values read against the publication date."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import dossier
from dossier import pipeline, timex
from dossier.document import Document, Published

from .conftest import shared

DCT = "2026-01-07"  # a Wednesday


def read(text: str, published=DCT) -> dict[str, dict]:
    """text -> {expression text: time line}"""
    return {t["text"]: t for t in timex.annotate(text, published)}


def value(text: str, expression: str, published=DCT) -> str:
    return read(text, published)[expression]["value"]


# -- what is recognised and how it is read ------------------------------------------------------------------------


def test_full_and_partial_dates():
    t = read("The deal was signed on May 7, 2025 and ratified on 6 March 2022. Officials met on December 25.")
    assert (t["May 7, 2025"]["value"], t["May 7, 2025"]["type"], t["May 7, 2025"]["anchor"]) == \
        ("2025-05-07", "DATE", None)
    assert t["6 March 2022"]["value"] == "2022-03-06"
    assert t["December 25"]["value"] == "2025-12-25"  # no year: read against the publication date
    assert t["December 25"]["anchor"] == DCT
    assert value("The plant was closed on June 20.", "June 20") == "2025-06-20"  # far off: the tense decides
    assert value("The plant will reopen on June 20.", "June 20") == "2026-06-20"
    assert value("Talks were held on Dec. 28.", "Dec. 28") == "2025-12-28"  # across the year boundary
    assert value("The vote will take place on January 20.", "January 20") == "2026-01-20"
    assert value("Prices peaked in November 2025.", "November 2025") == "2025-11"
    assert value("The filing is dated 2022-03-06.", "2022-03-06") == "2022-03-06"


def test_weekdays_follow_the_tense_of_the_sentence():
    assert value("On Tuesday evening, Trump announced the deal.", "Tuesday evening") == "2026-01-06TEV"
    assert read("On Tuesday evening, Trump announced the deal.")["Tuesday evening"]["type"] == "TIME"
    assert value("Officials traveled to Caracas on Saturday.", "Saturday") == "2026-01-03"
    assert value("Officials will travel to Caracas on Saturday.", "Saturday") == "2026-01-10"
    assert value("The talks are scheduled for Friday.", "Friday") == "2026-01-09"
    assert value("He said on Wednesday that talks had failed.", "Wednesday") == DCT  # the day of the report
    assert value("They met last Friday.", "last Friday") == "2026-01-02"
    assert value("They meet next Monday.", "next Monday") == "2026-01-12"


def test_relative_dates():
    t = read("Last year output rose; two weeks ago prices fell; next month a new plan starts; yesterday "
             "officials met; a year earlier exports were higher; this week talks resume.")
    assert t["Last year"]["value"] == "2025"
    assert t["two weeks ago"]["value"] == "2025-W52"
    assert t["next month"]["value"] == "2026-02"
    assert t["yesterday"]["value"] == "2026-01-06"
    assert t["a year earlier"]["value"] == "2025"
    assert t["this week"]["value"] == "2026-W02"
    assert all(t[k]["anchor"] == DCT for k in t)


def test_durations():
    t = read("He ruled for three years, then for 18 months; talks lasted two hours and a 10-year program and "
             "5 1/2 hours of debate followed, over several decades, for more than a week.")
    assert (t["three years"]["type"], t["three years"]["value"]) == ("DURATION", "P3Y")
    assert t["18 months"]["value"] == "P18M"
    assert t["two hours"]["value"] == "PT2H"
    assert t["10-year"]["value"] == "P10Y"  # "a 10-year program": the article is not part of it
    assert t["5 1/2 hours"]["value"] == "PT5H30M"
    assert t["several decades"]["value"] == "PXY"  # ISO 8601 has no decade designator
    assert (t["more than a week"]["value"], t["more than a week"]["mod"]) == ("P1W", "MORE_THAN")
    assert all(t[k]["anchor"] is None for k in t)


def test_ages_are_not_durations():
    assert "6-year" not in read("The 6-year-old boy and a man, 52 years old, arrived.")
    assert "52 years" not in read("The 6-year-old boy and a man, 52 years old, arrived.")


def test_a_decade_after_a_possessive_is_an_age():
    t = read("Kopp's stepmother married his father when Kopp was in his 30s, in the 1990s.")
    assert "30s" not in t
    assert t["the 1990s"]["value"] == "199"


def test_sets():
    t = read("Flights leave every Monday and Tuesday nights; the board meets each year; prices are set daily; "
             "Sundays are quiet.")
    assert (t["every Monday"]["type"], t["every Monday"]["value"]) == ("SET", "XXXX-WXX-1")
    assert t["Tuesday nights"]["value"] == "XXXX-WXX-2TNI"
    assert t["each year"]["value"] == "P1Y"
    assert t["daily"]["value"] == "P1D"
    assert t["Sundays"]["value"] == "XXXX-WXX-7"


def test_decades_centuries_seasons():
    t = read("In the 1990s and the early 1980s, and in the nineties, during the 20th century, in the spring of "
             "2019, last winter and this summer.")
    assert t["the 1990s"]["value"] == "199"
    assert (t["the early 1980s"]["value"], t["the early 1980s"]["mod"]) == ("198", "START")
    assert t["the nineties"]["value"] == "199"
    assert t["the 20th century"]["value"] == "19"
    assert t["the spring of 2019"]["value"] == "2019-SP"
    assert t["last winter"]["value"] == "2025-WI"
    assert t["this summer"]["value"] == "2026-SU"


def test_quarters_halves_and_fiscal_years():
    t = read("Profit rose in the third quarter of 2025 and in Q1 2024; second-half sales and the first half of "
             "2023 were weak; fiscal 2024 ended well, as did FY2023.")
    assert t["the third quarter of 2025"]["value"] == "2025-Q3"
    assert t["Q1 2024"]["value"] == "2024-Q1"
    assert t["the first half of 2023"]["value"] == "2023-H1"
    assert t["fiscal 2024"]["value"] == "2024"  # TimeML / TimeBank write a fiscal year as the year
    assert t["FY2023"]["value"] == "2023"
    results = read("Third-quarter profit rose 5%. A year ago the company lost money.", "1989-10-26")
    assert results["Third-quarter"]["value"] == "1989-Q3"  # the quarter last ended
    assert results["A year ago"]["value"] == "1988-Q3"     # in a results story: that quarter a year earlier
    assert value("Sales in the quarter ended Sept. 30 rose.", "the quarter", "1989-11-20") == "1989-Q3"


def test_periods_of_results_stories():
    dct = "1989-10-30"
    t = read("For the year ended March 31, revenue rose. In the quarter ended July 31, Jayark lost money. In the "
             "year-earlier third quarter it earned $22.5 million. It could be effective as early as next year's "
             "first quarter.", dct)
    assert (t["the year"]["type"], t["the year"]["value"]) == ("DURATION", "P1Y")  # a twelve-month period
    assert t["the quarter"]["value"] == "1989-Q2"  # May-July lies mostly in the second quarter
    assert t["the year-earlier third quarter"]["value"] == "1988-Q3"
    assert t["next year's first quarter"]["value"] == "1990-Q1"
    assert value("For the year, volume was flat.", "the year", dct) == "1989"  # no "ended": the year itself
    t = read("Kimberly-Clark posted a 20% gain in third-quarter net income. After a flat second quarter, the "
             "company gained. Charges were taken in the year-earlier period. U.K. sales for last year's quarter "
             "were $3 million.", "1989-11-01")
    assert t["third-quarter"]["value"] == "1989-Q3"
    assert t["the year-earlier period"]["value"] == "1988-Q3"  # the latest quarter reported, not the last named
    assert t["last year's quarter"]["value"] == "1988-Q3"
    assert value("Oshkosh said earnings for its fourth quarter ended Sept. 30 fell. The latest period was weak.",
                 "The latest period", "1989-11-02") == "1989-Q4"  # a fiscal quarter that has ended
    t = read("Sun said it earned $5.2 million in the fiscal first quarter. It reported sales of $538.5 million for "
             "the quarter ended Sept. 29, up 39% from a year earlier. In the 1988 period, it earned $20.6 million.",
             "1989-10-26")
    assert t["the fiscal first quarter"]["value"] == "1989-Q1"
    assert t["the quarter"]["value"] == "1989-Q1"  # the fiscal quarter the story reports on, by its label
    assert t["a year earlier"]["value"] == "1988-Q1"
    assert t["the 1988 period"]["value"] == "1988-Q1"
    assert value("Columbia lost $226.3 million in the third quarter. For the quarter a year ago, it earned $16.3 "
                 "million.", "the quarter a year ago", "1989-10-26") == "1988-Q3"


def test_durations_in_units_iso_8601_has():
    t = read("They lived in camps for 2 1/2 years and talks took a year and a half; a minute and a half later "
             "it ended after almost two decades and over centuries.")
    assert t["2 1/2 years"]["value"] == "P2Y6M"
    assert t["a year and a half"]["value"] == "P1Y6M"
    assert t["a minute and a half"]["value"] == "PT1M30S"
    assert t["almost two decades"]["value"] == "P20Y"


def test_an_amount_before_later_is_a_duration():
    t = read("Three days later, the index closed higher. A year earlier, profit was lower.")
    assert (t["Three days"]["type"], t["Three days"]["value"]) == ("DURATION", "P3D")  # "later" is the signal
    assert "Three days later" not in t
    assert (t["A year earlier"]["type"], t["A year earlier"]["value"]) == ("DATE", "2025")


def test_weekdays_and_the_verb_that_governs_them():
    thu = "1990-08-16"  # a Thursday
    assert value("Thirty-two members had filed compliance reports by Wednesday.", "Wednesday", thu) == "1990-08-15"
    assert value("Until Thursday, they had not called Kopp a suspect.", "Thursday", "1999-05-07") == "1999-05-06"
    assert value("The group could come to the U.S. as early as Tuesday.", "Tuesday", "2000-04-03") == "2000-04-04"
    assert value("The stock is to resume trading in Paris Tuesday.", "Tuesday", "1989-10-27") == "1989-10-31"
    assert value("The offer had been due to expire Friday evening.", "Friday evening", "1989-10-30") == \
        "1989-10-27TEV"
    assert value("They would look for ways to get around Wednesday's ruling.", "Wednesday", "2000-01-07") == \
        "2000-01-05"  # a day with a possessive has happened
    t = read("Shares closed at a record on Friday. The index fell 4.5% from the previous Friday.", "1989-10-30")
    assert t["Friday"]["value"] == "1989-10-27"
    assert t["the previous Friday"]["value"] == "1989-10-20"  # counted from the day named last
    assert value("The split would be paid on a still unspecified date in January.", "January", "1989-10-26") == \
        "1990-01"  # "unspecified" is an adjective, "would be paid" governs


def test_that_year_and_the_following_month_count_from_the_date_named_last():
    t = read("On May 22, 1995, Farkas was made a general, and the following year he was appointed attache.",
             "1998-04-18")
    assert t["the following year"]["value"] == "1996"
    assert value("Munero fled to Florida in June 1998 and returned to Cuba later that year.", "later that year",
                 "2000-01-28") == "1998"
    assert value("In March 1989 holders urged a sale. The following month, the company put itself up for sale.",
                 "The following month", "1989-10-27") == "1989-04"
    assert value("Last year output rose.", "Last year", "1989-10-27") == "1988"  # no date named: the reference


def test_clock_times_with_a_date_and_spelled_years():
    assert value("The offer was extended until 5 p.m. EST, Nov. 6.", "5 p.m. EST, Nov. 6", "1989-10-30") == \
        "1989-11-06T17:00"
    assert value("January nineteen ninety-seven. Atlanta again.", "January nineteen ninety-seven",
                 "1998-02-27") == "1997-01"


def test_times_of_day():
    t = read("The blast came at 10:35 a.m. Friday; the vote is at noon tomorrow; he spoke this morning.")
    assert (t["10:35 a.m. Friday"]["type"], t["10:35 a.m. Friday"]["value"]) == ("TIME", "2026-01-02T10:35")
    assert t["noon tomorrow"]["value"] == "2026-01-08T12:00"
    assert t["this morning"]["value"] == "2026-01-07TMO"
    assert value("The plane landed at 9 p.m. yesterday.", "9 p.m. yesterday") == "2026-01-06T21:00"
    assert value("In London at mid-afternoon yesterday, shares were up.", "mid-afternoon yesterday") == \
        "2026-01-06TAF"
    t = read("Hopes were dashed Friday. Dealers placed heavy buy orders in the morning; he spoke at midday.",
             "1989-10-30")
    assert (t["the morning"]["type"], t["the morning"]["value"]) == ("TIME", "1989-10-27TMO")  # of the day named
    assert t["midday"]["value"] == "1989-10-27T12:00"
    assert "the night" not in read("Tapes from the night the flight crashed were released.")


def test_present_past_and_future_references():
    t = read("Now the plan works; prices have recently fallen; currently output is low; in the past it was "
             "higher; the near future looks bright.")
    assert t["Now"]["value"] == "PRESENT_REF"
    assert t["recently"]["value"] == "PAST_REF"
    assert t["currently"]["value"] == "PRESENT_REF"
    assert t["the past"]["value"] == "PAST_REF"
    assert t["the near future"]["value"] == "FUTURE_REF"
    assert all(t[k]["anchor"] is None for k in t)
    t = read("It delayed construction because of current market conditions; in the current quarter sales rose.")
    assert t["current"]["value"] == "PRESENT_REF"
    assert t["the current quarter"]["value"] == "2026-Q1"
    assert "current" not in read("The current account deficit widened and current assets fell.")


def test_modifiers():
    t = read("Forces moved in early January 2026. Debts grew by the end of 2024. Talks began in mid-November. "
             "Prices fell in late 2019.")
    assert (t["early January 2026"]["value"], t["early January 2026"]["mod"]) == ("2026-01", "START")
    assert (t["the end of 2024"]["value"], t["the end of 2024"]["mod"]) == ("2024", "END")
    assert (t["mid-November"]["value"], t["mid-November"]["mod"]) == ("2025-11", "MID")
    assert t["late 2019"]["mod"] == "END"


def test_months_without_a_year_take_it_from_the_tense():
    assert value("The talks were launched in August but suspended since October.", "August", "2022-03-06") == \
        "2021-08"
    assert value("The talks were launched in August but suspended since October.", "October", "2022-03-06") == \
        "2021-10"
    assert value("The plant will reopen in August.", "August", "2022-03-06") == "2022-08"
    assert value("Sales this year through August fell.", "August", "1989-10-27") == "1989-08"


def test_ranges_give_one_line_per_end():
    t = timex.annotate("Trade grew between 2019 and 2022, and talks ran from March 1 to 5, 2021; in 2018-2024 "
                       "supplies doubled; from March to October 2025 naphtha flowed.", DCT)
    got = [(x["text"], x["value"]) for x in t]
    assert ("2019", "2019") in got and ("2022", "2022") in got
    assert ("March 1", "2021-03-01") in got and ("5, 2021", "2021-03-05") in got  # the year comes from the end
    assert ("2018", "2018") in got and ("2024", "2024") in got
    assert ("March", "2025-03") in got and ("October 2025", "2025-10") in got


def test_holidays():
    t = read("He left on Christmas Day and returns by Thanksgiving.", "2025-12-30")
    assert t["Christmas Day"]["value"] == "2025-12-25"
    assert value("Voters go to the polls on Election Day.", "Election Day", "1998-10-26") == "1998-11-03"


def test_words_that_only_look_like_dates():
    t = read("Sun Microsystems said it may march on; Jan Kavan spoke; the quarter-to-quarter comparison and more "
             "than a quarter of sales; 1,200 troops and $2019 in cash.")
    assert not any(k in t for k in ("Sun", "march", "Jan", "quarter", "a quarter", "2019"))


# -- anchoring ----------------------------------------------------------------------------------------------------


def test_undated_document_is_read_against_its_inferred_interval():
    interval = Published(after="2026-01-15", before="2026-02-14", basis="inferred")
    t = read("Last year supplies rose threefold. In November the minister spoke. On January 3, Lavrov called. "
             "The deal was signed on May 7, 2025. Officials met on Tuesday.", interval)
    assert (t["Last year"]["value"], t["Last year"]["anchor"]) == ("2025", "2026-01-15/2026-02-14")
    assert t["November"]["value"] == "2025-11"
    assert t["January 3"]["value"] == "2026-01-03"
    assert (t["May 7, 2025"]["value"], t["May 7, 2025"]["anchor"]) == ("2025-05-07", None)
    assert t["Tuesday"]["value"] == "2026-XX-XX"  # the two ends disagree on the month and day: left open


def test_document_without_any_date_keeps_only_what_the_text_fixes():
    t = read("On February 25 officials met; last year output rose; in 2019 ties were cut; on Saturday evening "
             "they met again.", None)
    assert (t["February 25"]["value"], t["February 25"]["anchor"]) == ("XXXX-02-25", None)
    assert t["last year"]["value"] == "XXXX"
    assert t["2019"]["value"] == "2019"
    assert t["Saturday evening"]["value"] == "XXXX-WXX-6TEV"


def test_published_as_string_interval_or_pair():
    text = "Last year output rose."
    assert value(text, "Last year", "2026-01-15/2026-02-14") == "2025"
    assert value(text, "Last year", ("2026-01-15", "2026-02-14")) == "2025"
    assert read(text, Published(date="2022-03-06", basis="stated"))["Last year"]["anchor"] == "2022-03-06"


# -- the stage and its output contract ------------------------------------------------------------------------------


def test_span_invariant_and_fields():
    text = ("WASHINGTON (Reuters) – Senior U.S. officials traveled to Venezuela on Saturday for talks; "
            "in a March 1 phone call, Putin and Maduro spoke.\n\nIn 2019 — and again in January 2026 — ties "
            "were cut. «Now» is the time, they said on Tuesday evening, 3 p.m. GMT.")
    found = timex.annotate(text, "2026-01-07")
    assert found, "nothing found"
    for t in found:
        assert set(t) == {"start", "end", "text", "type", "value", "anchor", "mod"}
        assert text[t["start"]:t["end"]] == t["text"] and t["end"] > t["start"]
        assert t["type"] in ("DATE", "TIME", "DURATION", "SET") and t["value"]
    starts = [t["start"] for t in found]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in zip(found, found[1:], strict=False))


def test_stage_is_registered_and_pure():
    steps = pipeline.stages(["timex"])
    assert [s.name for s in steps] == ["timex"]
    assert steps[0].requires == ("text", "published") and steps[0].assigns == ("annotations",)
    doc = Document(id="d1", hash="h", source="x.txt", format="text", text="On Tuesday evening, Trump spoke.",
                   published=Published(date="2026-01-07", basis="stated"), annotations={"other": [1]})
    out = pipeline.run_one(doc, steps)
    times = out.annotations["times"]
    assert times == [{"start": 3, "end": 18, "text": "Tuesday evening", "type": "TIME", "value": "2026-01-06TEV",
                      "anchor": "2026-01-07", "mod": None}]
    assert out.annotations["other"] == [1] and "timex" in out.stages
    again = pipeline.run_one(Document(id="d1", hash="h", source="x.txt", format="text", text=doc.text,
                                      published=Published(date="2026-01-07")), steps)
    assert again.annotations["times"] == times


def test_empty_text():
    assert timex.annotate("", DCT) == []
    assert timex.annotate("No dates here at all.", None) == []


def test_extract_jsonl_writes_the_tempeval_prediction_format():
    lines = [json.dumps({"id": "a", "text": "\nShares fell Friday, a year after the 1987 crash.", "dct": "1989-10-30"}),
             "", json.dumps({"id": "b", "text": "Nothing.", "dct": None})]
    rows = list(timex.extract_jsonl(lines))
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["timex"] == []
    by_text = {lines_text(r): r for r in rows[0]["timex"]}
    assert set(rows[0]["timex"][0]) == {"start", "end", "type", "value"}
    assert by_text["Friday"]["value"] == "1989-10-27" and by_text["1987"]["value"] == "1987"
    with pytest.raises(dossier.errors.UsageError, match="line 2"):
        list(timex.extract_jsonl(['{"id": 1, "text": "x"}', "{not json"]))


def lines_text(t: dict) -> str:
    return "\nShares fell Friday, a year after the 1987 crash."[t["start"]:t["end"]]


def test_extract_output_is_accepted_by_the_tempeval_scorer(tmp_path):
    bench = shared("bench", "tempeval3")
    docs = [json.loads(line) for line in (bench / "dev.jsonl").read_text("utf-8").splitlines()[:5]]
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in timex.extract_jsonl(json.dumps(d) for d in docs)))
    r = subprocess.run([sys.executable, str(shared("bench", "score", "timex.py")), str(pred), str(bench), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout.strip().splitlines()[-1])
    assert scores["documents_predicted"] == 5 and scores["n_pred"] > 0


def test_seeds_times_all_right(db, tmp_path):
    """The seeds, ingested and exported for real: every gold time expression of gold/seeds.json is found with the
    right value (matched as bench/score/dossier.py matches the times section)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_dossier", shared("bench", "score", "dossier.py"))
    sd = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sd)
    dossier.ingest([str(shared("corpus", "seeds"))], db=db)
    out = tmp_path / "out"
    dossier.export(db, str(out))
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text("utf-8").splitlines()]
    gold = json.loads(shared("gold", "seeds.json").read_text("utf-8"))["times"]
    wrong = []
    for g in gold:
        d = next(x for x in docs if x["source"].endswith(g["file"]))
        found = timex.annotate(d["text"], Published(**d["published"]))
        occ = sd.locate(d["text"], g["text"])
        cands = [t for t in found if sd.overlaps(t, occ)]
        if not any(t["value"] == g["value"] or t["value"].startswith(g["value"] + "T") for t in cands):
            wrong.append((g["file"], g["text"], g["value"], [t["value"] for t in cands]))
    assert not wrong and len(gold) == 21


def test_bounds_of_values():
    import datetime as dt

    assert timex.bounds_of("2026-01") == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert timex.bounds_of("2026-01-06TEV") == (dt.date(2026, 1, 6), dt.date(2026, 1, 6))
    assert timex.bounds_of("2026-W02") == (dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert timex.bounds_of("2025-Q3") == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert timex.bounds_of("199") == (dt.date(1990, 1, 1), dt.date(1999, 12, 31))
    assert timex.bounds_of("2026-XX-XX") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert timex.bounds_of("P3Y") is None and timex.bounds_of("PAST_REF") is None
    assert timex.bounds_of("XXXX-02-25") is None


def test_vague_future_phrases_and_periods_ends():
    t = read("In the near term sales fall; over the long term they rise; the vote comes at a later date, and "
             "the firm will act as soon as possible. Rules take effect by year's end.")
    assert t["the near term"]["value"] == "FUTURE_REF"
    assert t["the long term"]["value"] == "FUTURE_REF"
    assert t["a later date"]["value"] == "FUTURE_REF"
    assert t["as soon as possible"]["value"] == "FUTURE_REF"
    assert t["year's end"]["value"] == "2026" and t["year's end"]["mod"] == "END"
    assert "soon" not in read("They will meet as soon as they can.")


def test_time_words_inside_names_are_not_expressions():
    t = read('Baker said on ABC News\' "This Week" that talks go on; the film "High Noon" aired. This is VOA '
             "Today. This week prices rose. Today the market fell.")
    assert "This Week" not in t and "Noon" not in t and "Today" in t and "This week" in t
    assert [x["text"] for x in timex.annotate("This is VOA Today.", DCT)] == []
    assert value("Talks will resume at noon Saturday.", "noon Saturday") == "2026-01-10T12:00"
    assert value("They met on Thanksgiving Day.", "Thanksgiving Day") == "2025-11-27"


def test_the_unit_of_a_rate_has_its_own_gate_key():
    from dossier.timex.recognise import tokenize
    from dossier.timex.stage import gate_key

    def key(text: str, expression: str) -> str | None:
        toks, _ = tokenize(text)
        k = next(n for n, t in enumerate(toks) if t.text == expression.split()[0])
        return gate_key("duration", toks[k:k + 2], toks[max(0, k - 2):k])

    assert key("It saves $500 million a year in costs.", "a year") == "rate"
    assert key("It adds 700 seats a week on the route.", "a week") == "rate"
    assert key("Guards stand there 24 hours a day.", "a day") == "rate"
    assert key("It will take a year to finish.", "a year") is None
    assert key("Talks could end within a week.", "a week") is None


def test_present_tense_in_a_clause_of_time_or_condition_is_future():
    assert value("He will not cooperate when the case is heard in May.", "May") == "2026-05"
    assert value("The deal is off if it is not approved by Friday.", "Friday") == "2026-01-09"
    assert value("The boy was placed in his care after being found last Thanksgiving.", "last Thanksgiving") == \
        "2025-11-27"
    assert value("Next Christmas the shop is closed.", "Next Christmas") == "2026-12-25"


def test_the_month_just_past_is_last_month():
    assert value("Two helicopters crashed last February.", "last February", "1998-03-01") == "1997-02"
    assert value("Sales fell last October.", "last October", "1999-02-06") == "1998-10"
    assert value("Sales fell last December.", "last December", "2026-03-10") == "2025-12"


def test_the_full_stop_after_may_is_not_an_abbreviation_dot():
    assert "May" in read("The case is heard in May. It ends in June.")
    assert "Oct." in read("It ended Oct. 5 and resumed in Oct.")
