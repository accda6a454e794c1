"""medllm_translator on a tiny random Marian model and on deterministic stub backends."""
import json
import shutil

import pytest
import spacy
from spacy.tokens import Span

from spacy_medllm.translation.backend import Seq2SeqBackend, forced_bos_id
from spacy_medllm.translation.glossary import Glossary, GlossaryError
from spacy_medllm.translation.segment import fallback_sentences, split_long

from ..util import ROOT

LINES = [
    ("Start metformin 500 mg twice daily.", "Commencer la metformine 500 mg deux fois par jour."),
    ("The patient denies chest pain.", "Le patient nie une douleur thoracique."),
    ("Blood pressure was 120/80 mmHg.", "La pression artérielle était de 120/80 mmHg."),
    ("History of stroke and headache.", "Antécédents d'accident vasculaire cérébral et de céphalée."),
    ("No fever, no cough, no nausea.", "Pas de fièvre, pas de toux, pas de nausée."),
]


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory):
    """A 1-layer, 16-wide Marian with random weights and a BPE tokenizer trained on a few lines."""
    import torch

    from spacy_medllm.translation.training import build_model, train_tokenizer

    path = tmp_path_factory.mktemp("tiny-marian")
    tokenizer = train_tokenizer([s for pair in LINES for s in pair] * 3, vocab_size=200)
    torch.manual_seed(0)
    model = build_model(tokenizer, d_model=16, layers=1, heads=2, ffn=32, dropout=0.0)
    model.config.max_position_embeddings = 64
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


class StubBackend:
    """Deterministic 'translation' (upper-cases words, or a custom function) that records its batches."""

    def __init__(self, fn=str.upper, max_input_tokens=1000):
        self.fn = fn
        self.max_input_tokens = max_input_tokens
        self.batches = []

    def n_tokens(self, text):
        return len(text.split())

    def translate(self, texts):
        self.batches.append(list(texts))
        return [self.fn(t) for t in texts]

    def save(self, path):  # pragma: no cover - stubs are not saved
        raise NotImplementedError


def make_nlp(model=None, **cfg):
    nlp = spacy.blank("en")
    translator = nlp.add_pipe("medllm_translator", config={"model_name": str(model) if model else None, **cfg})
    return nlp, translator


def with_stub(stub, **cfg):
    nlp, translator = make_nlp(**cfg)
    translator._backend = stub
    return nlp, translator


def test_factory_is_an_entry_point():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert "medllm_translator" in names


def test_batches_are_length_sorted_and_order_restored():
    stub = StubBackend()
    nlp, translator = with_stub(stub, batch_size=2, protect_numbers=False)
    text = "A very long first sentence with many words. Short one. Medium sized sentence here. Tiny."
    doc = nlp(text)
    sents = doc.spans["translation_sents"]
    assert [s.text for s in sents] == [t for t in
                                      ["A very long first sentence with many words.", "Short one.",
                                       "Medium sized sentence here.", "Tiny."]]
    assert [s._.translation for s in sents] == [s.text.upper() for s in sents]
    assert doc._.translation == " ".join(s.text.upper() for s in sents)
    flat = [t for b in stub.batches for t in b]
    assert [len(t) for t in flat] == sorted(len(t) for t in flat)
    assert all(len(b) <= 2 for b in stub.batches)


def test_real_model_batch_equals_one_by_one(tiny_marian):
    text = " ".join(src for src, _ in LINES)
    nlp_b, _ = make_nlp(tiny_marian, batch_size=8, cache_size=0, max_length=12)
    nlp_1, _ = make_nlp(tiny_marian, batch_size=1, cache_size=0, max_length=12)
    doc_b, doc_1 = nlp_b(text), nlp_1(text)
    assert len(doc_b.spans["translation_sents"]) == len(LINES)
    assert [s._.translation for s in doc_b.spans["translation_sents"]] == [
        s._.translation for s in doc_1.spans["translation_sents"]]
    assert "<ph_" not in doc_b._.translation


def test_uses_doc_sents_when_set():
    stub = StubBackend()
    nlp, translator = with_stub(stub)
    nlp.add_pipe("sentencizer", before="medllm_translator")
    doc = nlp("first part. second part")
    assert [s._.translation for s in doc.sents] == ["FIRST PART.", "SECOND PART"]
    doc = nlp("\n\nfirst part.  \n second part \n")  # whitespace tokens inside the sentences
    assert [s._.translation for s in doc.sents] == ["FIRST PART.", "SECOND PART"]
    assert doc._.translation == "FIRST PART.\nSECOND PART"


def test_fallback_sentencizer_offsets():
    text = "  Pain. Fever 38.5 C today!\nPlan: rest  "
    spans = fallback_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Pain.", "Fever 38.5 C today!", "Plan: rest"]
    assert fallback_sentences("") == [] and fallback_sentences(" \n ") == []


def test_long_sentences_are_split_not_truncated():
    def words(t):
        return len(t.split())

    text = "one two three, four five six; seven eight nine ten eleven twelve thirteen"
    pieces = split_long(text, words, 4)
    assert all(words(p) <= 4 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    stub = StubBackend(fn=lambda t: t, max_input_tokens=4)
    nlp, translator = with_stub(stub, protect_numbers=False)
    doc = nlp(text)
    assert translator.stats["split_sentences"] == 1
    assert doc._.translation.split() == text.split()
    assert all(words(t) <= 4 for b in stub.batches for t in b)


def test_real_model_long_sentence_within_limit(tiny_marian):
    nlp, translator = make_nlp(tiny_marian, max_input_tokens=12, max_length=8, protect_numbers=False)
    long = ", ".join(["the patient denies chest pain"] * 6) + "."
    doc = nlp(long)
    assert translator.stats["split_sentences"] == 1
    assert isinstance(doc._.translation, str)


def test_placeholders_survive_when_the_model_copies_them():
    nlp, translator = with_stub(StubBackend(fn=lambda t: t.replace("Give", "Donner")))
    doc = nlp("Give 5 mg now, BP 120/80 mmHg.")
    assert doc._.translation == "Donner 5 mg now, BP 120/80 mmHg."
    assert translator.stats["placeholders"] == 2 == translator.stats["intact"]
    assert translator.stats["fallback_sentences"] == 0
    kinds = [(a["text"], a["method"]) for a in doc._.translation_alignments]
    assert kinds == [("5 mg", "protected"), ("120/80 mmHg", "protected")]
    for a in doc._.translation_alignments:
        assert doc._.translation[a["start"]:a["end"]] == a["text"] == doc.text[a["src_start"]:a["src_end"]]


def test_garbled_placeholder_is_repaired():
    nlp, translator = with_stub(StubBackend(fn=lambda t: t.replace("<ph_0>", "< ph_0 >")))
    doc = nlp("Give 5 mg now.")
    assert doc._.translation == "Give 5 mg now."
    assert translator.stats["repaired"] == 1


def test_dropped_placeholder_falls_back_to_piecewise_copy():
    import re

    def drop(t):
        return re.sub(r"<ph_\d+>", "", t).upper()

    nlp, translator = with_stub(StubBackend(fn=drop))
    doc = nlp("Give 5 mg now and 10 mg later.")
    assert translator.stats["missing"] == 2 and translator.stats["fallback_sentences"] == 1
    assert doc._.translation == "GIVE 5 mg NOW AND 10 mg LATER."
    assert "<ph" not in doc._.translation.lower()
    for a in doc._.translation_alignments:
        assert doc._.translation[a["start"]:a["end"]] == a["text"]


def test_random_model_keeps_protected_items(tiny_marian):
    nlp, translator = make_nlp(tiny_marian, max_length=10)
    doc = nlp.make_doc("Start metformin 500 mg twice daily. Blood pressure was 120/80 mmHg on 2024-03-01.")
    doc.ents = [Span(doc, 1, 2, label="DRUG")]
    doc = translator(doc)
    for item in ("metformin", "500 mg", "120/80 mmHg", "2024-03-01"):
        assert item in doc._.translation
    assert "<ph" not in doc._.translation
    stats = translator.stats
    assert stats["placeholders"] == 4 == stats["intact"] + stats["repaired"] + stats["missing"]
    ent_span = doc.ents[0]._.translation_span
    assert ent_span["method"] == "protected"
    assert doc._.translation[ent_span["start"]:ent_span["end"]] == "metformin"


def test_glossary_terms_and_entity_spans():
    nlp, translator = with_stub(StubBackend(fn=lambda t: t.lower()))
    translator.glossary = Glossary({"chest pain": "douleur thoracique", "aspirin": None})
    doc = nlp.make_doc("Chest pain treated with aspirin.")
    doc.ents = [Span(doc, 0, 2, label="PROBLEM"), Span(doc, 4, 5, label="DRUG")]
    doc = translator(doc)
    assert doc._.translation == "douleur thoracique treated with aspirin."
    pain, drug = doc.ents
    assert pain._.translation_span["text"] == "douleur thoracique"
    assert pain._.translation_span["method"] == "glossary"
    assert drug._.translation_span["text"] == "aspirin"


def test_glossary_files_and_errors(tmp_path):
    tsv = tmp_path / "g.tsv"
    tsv.write_text("# comment\nchest pain\tdouleur thoracique\nCOVID-19\n", encoding="utf8")
    g = Glossary.from_file(tsv)
    assert g.lookup("Chest Pain") == "douleur thoracique" and g.lookup("covid-19") == "COVID-19"
    assert Glossary.from_bytes(g.to_bytes()).to_dict() == g.to_dict()
    bad = tmp_path / "bad.tsv"
    bad.write_text("ok\tfine\na\tb\tc\n", encoding="utf8")
    with pytest.raises(GlossaryError, match=r"bad.tsv: line 2: expected 1 or 2"):
        Glossary.from_file(bad)
    js = tmp_path / "g.json"
    js.write_text('{"tachycardia": "tachycardie", "Xarelto": null}', encoding="utf8")
    assert Glossary.from_file(js).to_dict() == {"tachycardia": "tachycardie", "Xarelto": "Xarelto"}
    js.write_text('{"a": 1}', encoding="utf8")
    with pytest.raises(GlossaryError, match="g.json"):
        Glossary.from_file(js)


def test_save_and_load_pipeline_gives_identical_outputs(tiny_marian, tmp_path):
    model_copy = tmp_path / "model-src"
    shutil.copytree(tiny_marian, model_copy)
    gloss = tmp_path / "glossary.tsv"
    gloss.write_text("chest pain\tdouleur thoracique\n", encoding="utf8")
    nlp, translator = make_nlp(model_copy, glossary_path=str(gloss), max_length=10)
    nlp.initialize()
    text = "The patient denies chest pain. Start metformin 500 mg twice daily."
    before = nlp(text)._.translation
    nlp.to_disk(tmp_path / "pipeline")
    shutil.rmtree(model_copy)
    gloss.unlink()
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("medllm_translator").glossary.to_dict() == {"chest pain": "douleur thoracique"}
    assert loaded(text)._.translation == before
    assert "douleur thoracique" in before and "500 mg" in before
    restored = spacy.blank("en")
    restored.add_pipe("medllm_translator").from_bytes(loaded.get_pipe("medllm_translator").to_bytes())
    assert restored(text)._.translation == before


def test_cache_translates_a_repeated_sentence_once():
    stub = StubBackend()
    nlp, translator = with_stub(stub, cache_size=2)
    docs = list(nlp.pipe(["Pain. Pain. Fever.", "Pain. Cough. Rash."]))
    translated = [t for b in stub.batches for t in b]
    assert translated.count("Pain.") == 1
    assert translator.stats["cache_hits"] == 2
    assert docs[1]._.translation == "PAIN. COUGH. RASH."
    assert len(translator.cache) == 2  # bounded


def test_empty_and_whitespace_docs_pass_through():
    stub = StubBackend()
    nlp, translator = with_stub(stub)
    assert nlp("")._.translation == ""
    assert nlp("  \n ")._.translation == "  \n "
    assert stub.batches == []


def test_language_codes_for_m2m_style_model(tmp_path):
    """src_lang goes to the tokenizer, the target code becomes forced_bos_token_id."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import M2M100Config, M2M100ForConditionalGeneration, PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>", "__en__", "__fr__", "pain", "fever"])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", pad_token="<pad>", eos_token="</s>",
                                        unk_token="<unk>", model_input_names=["input_ids", "attention_mask"])
    config = M2M100Config(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=32, pad_token_id=1, bos_token_id=0,
                          eos_token_id=2, decoder_start_token_id=2)
    M2M100ForConditionalGeneration(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    backend = Seq2SeqBackend.load(tmp_path, src_lang="en", tgt_lang="fr", max_length=4)
    assert backend.forced_bos_token_id == vocab["__fr__"] == forced_bos_id(tokenizer, "fr")
    ids = backend.generate_ids(["pain fever"])
    assert ids[0, 1].item() == vocab["__fr__"]
    tokenizer.src_lang = None  # a tokenizer with a src_lang attribute gets the source code
    Seq2SeqBackend(backend.model, tokenizer, src_lang_code="__en__", tgt_lang_code="fr")
    assert tokenizer.src_lang == "__en__"
    with pytest.raises(ValueError, match="'xx'"):
        forced_bos_id(tokenizer, "xx")


def test_score_reads_references_from_user_data():
    from spacy.training import Example

    nlp, translator = with_stub(StubBackend(fn=lambda t: t))
    pred = nlp("the patient has pain")
    ref = nlp.make_doc("the patient has pain")
    ref.user_data["translation"] = "the patient has pain"
    scores = translator.score([Example(pred, ref)])
    assert scores["translation_bleu"] == pytest.approx(100.0) and scores["translation_chrf"] == pytest.approx(100.0)
    assert translator.score([Example(pred, nlp.make_doc("x"))])["translation_bleu"] is None


def test_missing_model_gives_a_clear_error():
    nlp, _ = make_nlp()
    with pytest.raises(ValueError, match="no translation model"):
        nlp("Pain.")


def test_cli_pipeline_protection_and_html(tiny_marian, tmp_path):
    """End to end on the shipped clinical sentences: every protected item survives a random model."""
    from typer.testing import CliRunner

    from spacy_medllm.cli.app import load_commands

    app = load_commands()
    root = ROOT
    runner = CliRunner()
    pipe_dir = tmp_path / "pipe"
    r = runner.invoke(app, ["translate-pipeline", str(tiny_marian), str(pipe_dir),
                            "--glossary", str(root / "assets/translation/glossary.tsv")])
    assert r.exit_code == 0, r.output
    out = tmp_path / "protection.json"
    r = runner.invoke(app, ["translate-protection", str(pipe_dir),
                            str(root / "assets/translation/clinical_sentences.jsonl"), "--output", str(out)])
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text())["clinical_sentences"]
    assert report["items"] > 60 and report["share"] == 1.0
    assert set(report["by_kind"]) >= {"number", "glossary", "entity:DRUG"}
    html_out = tmp_path / "view.html"
    r = runner.invoke(app, ["translate-html", str(pipe_dir), str(root / "assets/translation/clinical_sentences.jsonl"),
                            "--output", str(html_out)])
    assert r.exit_code == 0, r.output
    page = html_out.read_text()
    assert page.count("<tr>") == 31 and "<mark" in page and "metformin" in page


def test_component_fragment_composes(tiny_marian):
    from spacy_medllm.compose import compose_config, fill_and_validate

    root = ROOT
    config = compose_config([root / "components/translator.cfg"], overrides={"paths.translation_model": str(tiny_marian)})
    assert config["nlp"]["pipeline"] == ["medllm_translator"]
    filled = fill_and_validate(config)
    assert filled["components"]["medllm_translator"]["protect_labels"] == ["DRUG"]
    nlp = spacy.util.load_model_from_config(filled.interpolate())
    out = nlp("Give 5 mg.")._.translation
    assert "5 mg" in out and "<ph" not in out


def test_glossary_loader_in_initialize_config(tmp_path):
    gloss = tmp_path / "g.tsv"
    gloss.write_text("chest pain\tdouleur thoracique\n", encoding="utf8")
    nlp, _ = make_nlp()
    config = nlp.config.copy()
    config["initialize"]["components"] = {
        "medllm_translator": {"glossary": {"@misc": "spacy_medllm.Glossary.v1", "path": str(gloss)}}}
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.initialize()
    assert nlp.get_pipe("medllm_translator").glossary.to_dict() == {"chest pain": "douleur thoracique"}


def test_training_from_scratch_then_fine_tuning(tmp_path, tiny_marian):
    """The workflow's trainer on a few pairs: checkpoints and summary written, fine-tuning path runs."""
    from spacy_medllm.translation.training import train

    rows = "".join(json.dumps({"src": s, "tgt": t}) + "\n" for s, t in LINES * 2)
    (tmp_path / "train.jsonl").write_text(rows, encoding="utf8")
    (tmp_path / "dev.jsonl").write_text(rows, encoding="utf8")
    summary = train(tmp_path / "train.jsonl", tmp_path / "dev.jsonl", tmp_path / "scratch", vocab_size=150,
                    d_model=16, layers=1, heads=2, ffn=32, max_epochs=2, max_tokens=200, warmup=2)
    assert summary["epochs"] == 2 and summary["train_pairs"] == 10
    assert (tmp_path / "scratch/model-best/config.json").exists()
    assert len((tmp_path / "scratch/train_log.jsonl").read_text().splitlines()) == 2
    tuned = train(tmp_path / "train.jsonl", tmp_path / "dev.jsonl", tmp_path / "tuned", max_epochs=1,
                  max_tokens=200, init_checkpoint=str(tiny_marian))
    assert tuned["init_checkpoint"] == str(tiny_marian) and (tmp_path / "tuned/model-last").exists()
    nlp, _ = make_nlp(tmp_path / "tuned/model-last", max_length=8)
    assert isinstance(nlp("The patient denies chest pain.")._.translation, str)


def test_assemble_adds_the_translator_to_a_trained_pipeline(tmp_path, tiny_marian):
    """The clinical package is the trained pipeline plus the translator: `medllm assemble`."""
    from spacy_medllm.assemble import AssembleError, assemble_pipeline
    from spacy_medllm.translation.pipeline import build_pipeline

    base = spacy.blank("en")
    ruler = base.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DRUG", "pattern": "metformin"}])
    base.to_disk(tmp_path / "base")
    build_pipeline(str(tiny_marian)).to_disk(tmp_path / "translator")
    out = tmp_path / "clinical"
    assemble_pipeline(str(tmp_path / "base"), out, translator=str(tmp_path / "translator"))
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["entity_ruler", "medllm_translator"]
    doc = nlp("Start metformin 500 mg twice daily.")
    assert [e.text for e in doc.ents] == ["metformin"]
    # the drug and the dose are protected: they reach the output of even a random model exactly
    assert "metformin" in doc._.translation and "500 mg" in doc._.translation
    assert not list(tmp_path.glob(".clinical.*")), "no temporary folder left behind"
    with pytest.raises(AssembleError, match="already has a pipe named 'medllm_translator'"):
        assemble_pipeline(str(out), tmp_path / "again", translator=str(tmp_path / "translator"))
    with pytest.raises(AssembleError, match="no pipe named 'medllm_translator'"):
        assemble_pipeline(str(tmp_path / "base"), tmp_path / "again", translator=str(tmp_path / "base"))
    # without a translator it is a plain copy
    assemble_pipeline(str(tmp_path / "base"), tmp_path / "copy")
    assert spacy.load(tmp_path / "copy").pipe_names == ["entity_ruler"]
