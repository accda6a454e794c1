"""The PHI head's token features: the shared encoder's vectors beside a small word-shape tok2vec.

The shared MiniLM encoder is uncased: it cannot see that "Hauta-aho" or "TRONDHEIM" is written
like a name or a place, and capitals, digits and word shapes are most of what tells PHI apart
from clinical words. A hash-embedding tok2vec over NORM, PREFIX, SUFFIX and SHAPE (spaCy's own
``spacy.Tok2Vec.v2``) gives the head those features for a fraction of the encoder's cost, while
the encoder's vectors still come from the one shared pass.

``width`` projects the joined vector down before the head sees it: a span categorizer reduces
every candidate span (about 8 per token) over these vectors, so their width sets most of its cost.
"""
from typing import List, Optional

from spacy.tokens import Doc
from thinc.api import Linear, Model, chain, concatenate, with_array
from thinc.types import Floats2d


def build_concat_tok2vec(main: Model[List[Doc], List[Floats2d]], features: Model[List[Doc], List[Floats2d]],
                         width: Optional[int] = None) -> Model[List[Doc], List[Floats2d]]:
    """Each token's ``main`` vector (e.g. a TransformerListener) and ``features`` vector, side by
    side, projected to ``width`` if given."""
    model = concatenate(main, features)
    if width:
        model = chain(model, with_array(Linear(nO=width)))
    model.name = "concat_tok2vec"
    return model
