#!/usr/bin/env python3
"""Regenerate examples/crawl.warc.gz, the WARC file of the example corpus.

The page sources live in this script (not in examples/) so that
`dossier ingest examples/` does not ingest them a second time.

The output is deterministic: fixed WARC-Date and WARC-Record-ID values, and
warcio's gzip members carry mtime 0. Running the script twice gives
byte-identical files.

Usage:  python scripts/make_example_warc.py [output-path]
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "crawl.warc.gz"

CASPIAN_URL = "https://caspianmonitor.example/oil/2025/03/18/akzhar-teniz-maintenance-starts-early"
CASPIAN_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Akzhar-Teniz maintenance starts early as Kazakhstan moves to meet OPEC+ pledge – Caspian Monitor</title>
<meta property="og:title" content="Akzhar-Teniz maintenance starts early as Kazakhstan moves to meet OPEC+ pledge">
<meta property="article:published_time" content="2025-03-18T09:15:00+05:00">
<link rel="canonical" href="https://caspianmonitor.example/oil/2025/03/18/akzhar-teniz-maintenance-starts-early">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<nav class="topnav"><a href="/">Caspian Monitor</a> <a href="/oil">Oil</a> <a href="/gas">Gas</a> <a href="/pipelines">Pipelines</a> <a href="/login">Log in</a></nav>
<div class="paywall-note">You have 3 free articles left this month. <a href="/subscribe">Subscribe</a></div>
<article>
<h1>Akzhar-Teniz maintenance starts early as Kazakhstan moves to meet OPEC+ pledge</h1>
<p class="meta">By Dana Sarsenova · <time datetime="2025-03-18T09:15:00+05:00">18 March 2025</time></p>
<p>ATYRAU — Steppe Petroleum Company began planned maintenance at the Akzhar-Teniz oil field on Monday, two weeks ahead of schedule, cutting the field’s output by about 35,000 barrels per day, the company said on Tuesday.</p>
<p>The work, originally planned for April, will last about 30 days and involves the replacement of compressors at two of the field’s three processing units, Steppe Petroleum said in a statement. It did not explain the change of schedule.</p>
<p>Two people familiar with the matter said the energy ministry had asked the operator to bring the work forward so that Kazakhstan’s March production would already show a decline ahead of an OPEC+ review next month. Kazakhstan produced 1.82 million bpd in February, well above its quota of 1.47 million bpd.</p>
<p>Energy Minister Daulet Zhaksybekov told parliament on Monday that the country would submit a compensation plan to OPEC+ “within days” and that national output would fall by about 120,000 bpd from April. The ministry had earlier this month denied foreign media reports that such a cut had been agreed in Vienna.</p>
<p>“The numbers have not changed, only the willingness to say them out loud,” said Askar Zhunusov, an independent energy analyst in Almaty.</p>
<p>Akzhar-Teniz, which Steppe Petroleum operates with two foreign partners, pumped about 410,000 bpd in February after an expansion completed last year cost $6.2 billion.</p>
</article>
<aside class="most-read"><h3>Most read</h3><ul><li><a href="/gas/turkmen-gas-talks">Turkmen gas talks resume in Ashgabat</a></li><li><a href="/pipelines/cpc-tariff">Pipeline tariff review delayed again</a></li></ul></aside>
<footer><p>© 2025 Caspian Monitor. Reproduction without permission prohibited.</p></footer>
</body>
</html>
"""

DELTA_URL = "https://deltatribune.example/news/port-harcourt-oil-contractors-protest-layoffs"
DELTA_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Oil contractors march in Port Harcourt over Delta Basin layoffs | Delta Tribune</title>
<meta property="og:title" content="Oil contractors march in Port Harcourt over Delta Basin layoffs">
<meta property="og:site_name" content="Delta Tribune">
</head>
<body>
<div class="header"><a href="/">DELTA TRIBUNE</a> | <a href="/news">News</a> | <a href="/business">Business</a> | <a href="/sports">Sports</a> | <a href="/epaper">E-Paper</a></div>
<div class="ad">ADVERTISEMENT: Buy land in Eleme with flexible payment plans. Call 0800-000-0000</div>
<div class="post">
<h1 class="post-title">Oil contractors march in Port Harcourt over Delta Basin layoffs</h1>
<div class="post-meta">Chinedu Eze | <time datetime="2025-03-19T07:50:00+01:00">19/03/2025</time></div>
<div class="post-content">
<p>More than 1,000 members of the National Union of Oilfield Contractors marched through Port Harcourt on Tuesday to protest against plans by Delta Basin Oil Company to lay off about 1,200 contract workers while its main export pipeline remains shut.</p>
<p>The protesters, who blocked Aba Road for nearly three hours, carried placards accusing the company of “punishing workers for the crimes of pipeline vandals”. Police said the march was peaceful.</p>
<p>Delta Basin declared force majeure on Okpai Light exports on March 7, two days after an explosion on the Trans-Okpai pipeline shut in about 95,000 barrels per day of production. The company said last week it would release contract staff it could not use during the outage.</p>
<p>“If the company can find money for new surveillance contracts, it can find money to keep our members on the payroll,” union president Tamuno Briggs told the crowd.</p>
<p>A Delta Basin spokesman, Emeka Nwosu, said the layoffs were temporary and that workers would be recalled once repairs are finished, which he expected “before the end of the month”. He said the repair would cost about 2.1 billion naira.</p>
<p>The Rivers State government said it would host talks between the company and the union on Thursday.</p>
</div>
</div>
<div class="related"><b>Also read:</b> <a href="/sports/garden-city-derby">Garden City Stars win derby 2-0</a> · <a href="/news/flood-warning">Early flood warning issued for riverine communities</a></div>
<div class="footer">Copyright © 2025 Delta Tribune Newspapers Ltd</div>
</body>
</html>
"""

CSS_URL = "https://caspianmonitor.example/static/site.css"
CSS_BODY = """body{font-family:Georgia,serif;margin:0;color:#1b1b1b}
.topnav{background:#0b3954;padding:8px}.topnav a{color:#fff;margin-right:12px}
article{max-width:680px;margin:24px auto;line-height:1.6}
.paywall-note{background:#fff3cd;padding:6px 12px}
"""

WARCINFO = {
    "software": "Dossier example generator (scripts/make_example_warc.py)",
    "format": "WARC File Format 1.1",
    "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    "description": "Invented example crawl for the Dossier demo corpus; all outlets, people and events are fictional.",
    "isPartOf": "dossier-examples",
}


def _http_response(body: bytes, content_type: str, http_date: str) -> StatusAndHeaders:
    return StatusAndHeaders(
        "200 OK",
        [
            ("Date", http_date),
            ("Server", "nginx"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
        ],
        protocol="HTTP/1.1",
    )


def build(out_path: Path) -> None:
    with open(out_path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")

        info = writer.create_warcinfo_record("crawl.warc.gz", WARCINFO)
        info.rec_headers.replace_header("WARC-Record-ID", "<urn:uuid:6f1c2a00-0000-4000-8000-000000000001>")
        info.rec_headers.replace_header("WARC-Date", "2025-03-20T10:00:00Z")
        writer.write_record(info)

        # request + response for the Caspian Monitor page
        req_headers = StatusAndHeaders(
            "GET /oil/2025/03/18/akzhar-teniz-maintenance-starts-early HTTP/1.1",
            [
                ("Host", "caspianmonitor.example"),
                ("User-Agent", "dossier-example-crawler/1.0"),
                ("Accept", "text/html,application/xhtml+xml"),
            ],
            is_http_request=True,
        )
        req = writer.create_warc_record(
            CASPIAN_URL,
            "request",
            http_headers=req_headers,
            warc_headers_dict={
                "WARC-Record-ID": "<urn:uuid:6f1c2a00-0000-4000-8000-000000000002>",
                "WARC-Date": "2025-03-20T10:00:01Z",
                "WARC-Concurrent-To": "<urn:uuid:6f1c2a00-0000-4000-8000-000000000003>",
            },
        )
        writer.write_record(req)

        records = [
            (CASPIAN_URL, CASPIAN_HTML.encode("utf-8"), "text/html; charset=utf-8",
             "3", "2025-03-20T10:00:01Z", "Thu, 20 Mar 2025 10:00:01 GMT"),
            (CSS_URL, CSS_BODY.encode("utf-8"), "text/css",
             "4", "2025-03-20T10:00:02Z", "Thu, 20 Mar 2025 10:00:02 GMT"),
            (DELTA_URL, DELTA_HTML.encode("utf-8"), "text/html; charset=utf-8",
             "5", "2025-03-20T10:00:05Z", "Thu, 20 Mar 2025 10:00:05 GMT"),
        ]
        for url, body, ctype, n, warc_date, http_date in records:
            rec = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=_http_response(body, ctype, http_date),
                warc_headers_dict={
                    "WARC-Record-ID": f"<urn:uuid:6f1c2a00-0000-4000-8000-00000000000{n}>",
                    "WARC-Date": warc_date,
                },
            )
            writer.write_record(rec)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    build(out)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
