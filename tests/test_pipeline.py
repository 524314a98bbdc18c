"""Stages: order, declarations, failures turned into rejections, picklable documents."""

from __future__ import annotations

import pickle

import pytest

from dossier import pipeline
from dossier.document import Document, Item
from dossier.errors import Rejected
from dossier.ingest import decode_item


def test_stages_in_pipeline_order_with_declarations():
    steps = pipeline.stages()
    names = [s.name for s in steps]
    assert names == sorted(names, key=pipeline.ORDER.index)
    assert "clean" in names
    for s in steps:
        assert s.requires and s.assigns


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="unknown stage"):
        pipeline.stages(["cleen"])
    with pytest.raises(ValueError):
        pipeline.register("magic", requires=(), assigns=())


def test_a_crashing_stage_rejects_the_document_and_names_the_stage():
    def boom(doc):
        raise KeyError("x")

    step = pipeline.Stage("meta", ("text",), ("title",), boom)
    good = Document(id="d1", hash="h", source="a.txt", format="text", text="Oil rose.")
    out = list(pipeline.run([good, Rejected("empty file", "b.txt")], [step]))
    assert isinstance(out[0], Rejected) and "meta stage failed: KeyError" in str(out[0])
    assert str(out[0]).startswith("a.txt: ")
    assert str(out[1]) == "b.txt: empty file, skipped"


def test_documents_pickle_and_stages_are_pure():
    item = Item(source="x.html", format="html", media="html",
                content=b"<html><head><title>T</title></head><body><article><p>" + b"Oil output rose. " * 30
                + b"</p></article></body></html>")
    a = decode_item(item, pipeline.stages())
    b = decode_item(item, pipeline.stages())
    assert a == b and a.stages[:3] == ["ingest", "clean", "meta"]
    assert pickle.loads(pickle.dumps(a)) == a
