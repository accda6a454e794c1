"""Constants shared by the tests and their fixtures (imported normally: ``from tests.util import ROOT``)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "the a of and with for no not denies history patient presents pain chest fever cough headache "
    "nausea disease cancer tumour syndrome deficiency mutation gene protein cell blood heart lung "
    "start continue obtain x ray mri ct aspirin metformin insulin mg daily twice family mother father "
    "possible likely rule out ruled in was is has had be on to at by from assessment plan"
).split()


def optimized_copy(tmp_path_factory, source: Path, name: str, **options) -> Path:
    """A `medllm optimize` copy of the pipeline at ``source`` in a fresh temporary folder."""
    from spacy_medllm.optimize.pipeline import OptimizeOptions, optimize_pipeline

    out = tmp_path_factory.mktemp(name) / "pipeline"
    optimize_pipeline(str(source), out, OptimizeOptions(**options))
    return out


def write_sample(sample: Path) -> Path:
    """A one-note sample corpus (train and dev) with an entity and a note class."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    sample.mkdir()
    for split in ("train", "dev"):
        doc = nlp("Patient denies chest pain.")
        doc.ents = [doc.char_span(15, 25, label="PROBLEM")]
        doc.cats = {"cardiology": 1.0, "neurology": 0.0}
        db = DocBin(store_user_data=True)
        db.add(doc)
        db.to_disk(sample / f"{split}.spacy")
    return sample
