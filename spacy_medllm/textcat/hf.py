"""A pipeline component around any pretrained Hugging Face sequence-classification checkpoint."""
import io
import json
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Union

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example, validate_examples
from spacy.util import minibatch

MODEL_DIR = "model"
CFG_FILE = "cfg.json"
AGGREGATES = ("mean", "max")


class HFTextCategorizerError(ValueError):
    pass


class HFTextCategorizer(Pipe):
    """Writes ``doc.cats`` from a checkpoint's window-averaged logits.

    Notes longer than the checkpoint's window are tokenized into overlapping windows
    (``max_length`` word pieces, ``stride`` of them shared by neighbours) and the window
    logits are aggregated, so the end of a note counts as much as its start. The model and
    tokenizer are loaded lazily and saved inside the pipeline, so a saved pipeline loads
    without the checkpoint it was built from.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        model: str,
        label_map: Dict[str, str],
        multi_label: Optional[bool],
        threshold: float,
        max_length: int,
        stride: int,
        aggregate: str,
        batch_size: int,
        local_files_only: bool,
        scorer: Optional[Callable],
    ):
        if aggregate not in AGGREGATES:
            raise HFTextCategorizerError(f"{name}: aggregate must be one of {AGGREGATES}, got '{aggregate}'")
        if max_length < 8 or not 0 <= stride < max_length - 4:
            raise HFTextCategorizerError(f"{name}: need max_length >= 8 and 0 <= stride < max_length - 4")
        self.vocab = nlp.vocab
        self.name = name
        self.cfg = {
            "model": model, "label_map": dict(label_map), "multi_label": multi_label,
            "threshold": threshold, "max_length": max_length, "stride": stride,
            "aggregate": aggregate, "batch_size": batch_size, "local_files_only": local_files_only,
        }
        self.scorer = scorer
        self._model = None
        self._tokenizer = None

    # -- the checkpoint -------------------------------------------------------------
    def _load(self, source: Union[str, Path]) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        kwargs = {"local_files_only": self.cfg["local_files_only"], "trust_remote_code": False}
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(source), use_fast=True, **kwargs)
            model = AutoModelForSequenceClassification.from_pretrained(str(source), **kwargs)
        except (OSError, ValueError) as err:
            raise HFTextCategorizerError(
                f"{self.name}: cannot load a sequence-classification checkpoint from '{source}' "
                f"(local_files_only={self.cfg['local_files_only']}): {err}"
            ) from None
        if not getattr(tokenizer, "is_fast", False):
            raise HFTextCategorizerError(f"{self.name}: '{source}' has no fast tokenizer; windows need one")
        unknown = set(self.cfg["label_map"]) - set(model.config.id2label.values())
        if unknown:
            raise HFTextCategorizerError(
                f"{self.name}: label_map names labels the checkpoint lacks: {sorted(unknown)} "
                f"(checkpoint labels: {sorted(model.config.id2label.values())})"
            )
        model.eval()
        self._model, self._tokenizer = model, tokenizer

    def checkpoint(self):
        """The sequence-classification model, loaded on first use."""
        if self._model is None:
            self._load(self.cfg["model"])
        return self._model

    @property
    def model(self):
        """The loaded model, or None before `initialize` or first use. It never loads: spaCy probes
        `model` with hasattr (a runtime Protocol check) whenever a pipe is added."""
        return self._model

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._load(self.cfg["model"])
        return self._tokenizer

    @property
    def labels(self) -> List[str]:
        """The checkpoint's labels, renamed by ``label_map``. Empty until the checkpoint is
        loaded: spaCy reads ``labels`` for its meta before ``from_disk`` has run."""
        if self._model is None:
            return []
        id2label = self._model.config.id2label
        return [self.cfg["label_map"].get(id2label[i], id2label[i]) for i in range(len(id2label))]

    @property
    def multi_label(self) -> bool:
        if self.cfg["multi_label"] is not None:
            return bool(self.cfg["multi_label"])
        return self.checkpoint().config.problem_type == "multi_label_classification"

    @property
    def threshold(self) -> float:
        return self.cfg["threshold"]

    # -- prediction ----------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        for docs in minibatch(stream, size=batch_size):
            self.set_annotations(docs, self.predict(docs))
            yield from docs

    def predict(self, docs: List[Doc]):
        """One row of probabilities per doc: windows of all docs are batched together."""
        import torch

        model, tok = self.checkpoint(), self.tokenizer
        n_labels = len(model.config.id2label)
        texts = [doc.text for doc in docs]
        if not texts:
            return torch.zeros((0, n_labels)).numpy()
        enc = tok(
            texts, truncation=True, max_length=self.cfg["max_length"], stride=self.cfg["stride"],
            return_overflowing_tokens=True, padding=True, return_tensors="pt",
        )
        owner = enc.pop("overflow_to_sample_mapping")
        enc.pop("offset_mapping", None)
        logits = []
        with torch.no_grad():
            for start in range(0, len(owner), self.cfg["batch_size"]):
                part = {k: v[start:start + self.cfg["batch_size"]] for k, v in enc.items()}
                logits.append(model(**part).logits.float())
        logits = torch.cat(logits)
        doc_logits = torch.zeros((len(docs), n_labels))
        for i in range(len(docs)):
            rows = logits[owner == i]
            doc_logits[i] = rows.mean(0) if self.cfg["aggregate"] == "mean" else rows.max(0).values
        probs = torch.sigmoid(doc_logits) if self.multi_label else torch.softmax(doc_logits, -1)
        return probs.numpy()

    def set_annotations(self, docs: List[Doc], scores) -> None:
        self.checkpoint()  # load it before reading its labels
        labels = self.labels
        for doc, row in zip(docs, scores):
            doc.cats.update({label: float(p) for label, p in zip(labels, row)})

    # -- training API (pretrained only) ------------------------------------------------
    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *, nlp=None) -> None:
        """Load the checkpoint and check that gold labels, if any, are ones it can predict."""
        self._load(self.cfg["model"])
        if get_examples is not None:
            examples = list(get_examples())
            validate_examples(examples, "HFTextCategorizer.initialize")
            gold = {label for eg in examples for label in eg.reference.cats}
            missing = gold - set(self.labels)
            if missing:
                raise HFTextCategorizerError(
                    f"{self.name}: gold labels {sorted(missing)} are not among the checkpoint's labels "
                    f"{self.labels}; map them with label_map"
                )

    def score(self, examples: Iterable[Example], **kwargs) -> Dict:
        validate_examples(examples, "HFTextCategorizer.score")
        self.checkpoint()  # load it before reading its labels
        kwargs.setdefault("labels", self.labels)
        kwargs.setdefault("multi_label", self.multi_label)
        kwargs.setdefault("threshold", self.threshold)
        if self.scorer is not None:
            return self.scorer(examples, **kwargs)
        return Scorer.score_cats(examples, "cats", **kwargs)

    # -- serialization -------------------------------------------------------------------
    def to_disk(self, path: Union[str, Path], *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.checkpoint().save_pretrained(path / MODEL_DIR)
        self.tokenizer.save_pretrained(path / MODEL_DIR)
        (path / CFG_FILE).write_text(json.dumps(self.cfg, indent=2), encoding="utf8")

    def from_disk(self, path: Union[str, Path], *, exclude=tuple()) -> "HFTextCategorizer":
        path = Path(path)
        cfg_path = path / CFG_FILE
        if cfg_path.exists():
            self.cfg.update(json.loads(cfg_path.read_text(encoding="utf8")))
        # Whatever the config says, the copy saved with the pipeline is the one to load.
        saved = self.cfg.get("local_files_only")
        self.cfg["local_files_only"] = True
        try:
            self._load(path / MODEL_DIR)
        finally:
            self.cfg["local_files_only"] = saved
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp)
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w:gz") as tar:
                tar.add(tmp, arcname=".")
            return buf.getvalue()

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "HFTextCategorizer":
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(fileobj=io.BytesIO(bytes_data), mode="r:gz") as tar:
                try:
                    tar.extractall(tmp, filter="data")
                except TypeError:  # Python without extraction filters (before 3.10.12 / 3.11.4)
                    tar.extractall(tmp)
            self.from_disk(tmp)
        return self
