"""medllm visualize: a self-contained page, entities marked by assertion, cats and translation beside."""
import re

from typer.testing import CliRunner

from spacy_medllm import visualize

from .stand_ins import STAND_INS

TEXT = "No fever. Possible stroke. History of migraine. Mother had cough. Start aspirin if chest pain. MRI done."
EXPECTED = {"fever": "absent", "stroke": "possible", "migraine": "historical", "cough": "family",
            "chest pain": "hypothetical", "aspirin": None, "MRI": None}
MARKER = {"absent": "negated", "possible": "possible", "historical": "historical", "family": "family",
          "hypothetical": "hypothetical"}


def marks(page):
    return re.findall(r'<mark class="entity medllm-ent ([^"]*)"[^>]*>\s*([^<]*)<span class="medllm-label">(.*?)</span>(.*?)</mark>',
                      page, flags=re.S)


def test_each_entity_carries_its_assertion_marker(tmp_path, clinical_nlp):
    page = visualize([TEXT], nlp=clinical_nlp, output=tmp_path / "p.html", ids=["note <1>"])
    assert (tmp_path / "p.html").read_text(encoding="utf8") == page
    found = {text.strip(): (classes, label, marker) for classes, text, label, marker in marks(page)}
    assert set(found) == set(EXPECTED)
    for text, assertion in EXPECTED.items():
        classes, label, marker = found[text]
        if assertion is None:
            assert classes.strip() == "" and marker == ""
        else:
            assert f"assert-{assertion}" in classes.split()
            assert f'<span class="medllm-marker">{MARKER[assertion]}</span>' in marker
    for css in ("line-through", "dashed", "dotted", "opacity", "repeating-linear-gradient"):
        assert css in page
    assert "Legend" in page and "note &lt;1&gt;" in page
    assert "Categories" in page and "cardiology" in page and "0.90" in page
    assert "Traduction &lt;b&gt;7&lt;/b&gt; &amp; &#x27;entités&#x27;" in page


def test_page_escapes_text_and_loads_nothing_from_outside(clinical_nlp):
    page = visualize(["<script>alert('x')</script> fever & <b>cough</b>"], nlp=clinical_nlp)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert not re.search(r'(src|href)="?https?:', page) and "@import" not in page


def test_visualize_cli(tmp_path, clinical_model):
    from spacy_medllm.cli.app import load_commands

    app = load_commands()

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text(TEXT)
    (notes / "b.txt").write_bytes(b"")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["visualize", str(notes), "--model", str(clinical_model), "--output", str(out),
                                      "--code", str(STAND_INS)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf8")
    assert len(marks(page)) == len(EXPECTED) and "a.txt" in page
    assert "Not shown (1 errors)" in page and "text is empty" in page
