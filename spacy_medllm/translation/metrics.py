"""Corpus BLEU and chrF with nltk (no downloads needed), plus sacrebleu when it is installed."""
import re
from typing import Dict, Optional, Sequence

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokenize(text: str):
    """Words and punctuation marks; nltk's word_tokenize would need the punkt download."""
    return _TOKEN.findall(text)


def corpus_scores(hyps: Sequence[str], refs: Sequence[str]) -> Dict[str, Optional[float]]:
    """BLEU and chrF on a 0-100 scale; `sacrebleu_*` are None when sacrebleu is absent."""
    from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu
    from nltk.translate.chrf_score import corpus_chrf

    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
    bleu = corpus_bleu([[tokenize(r)] for r in refs], [tokenize(h) for h in hyps],
                       smoothing_function=SmoothingFunction().method3)
    chrf = corpus_chrf(list(refs), list(hyps))
    out = {"bleu": 100 * bleu, "chrf": 100 * chrf, "sacrebleu_bleu": None, "sacrebleu_chrf": None, "n": len(refs)}
    try:
        import sacrebleu
    except ImportError:
        return out
    out["sacrebleu_bleu"] = sacrebleu.corpus_bleu(list(hyps), [list(refs)]).score
    out["sacrebleu_chrf"] = sacrebleu.corpus_chrf(list(hyps), [list(refs)]).score
    return out
