"""Everything the top-level modules register with spaCy and thinc: the transformer architecture,
the training logger, the optimizer and its learn-rate-scales callback. Each subpackage has its own
``registry.py`` (assertion, corpora, textcat, translation); the ``pyproject.toml`` entry points
name the functions in these modules, so spaCy finds them without an import."""
from spacy.util import registry

from .architectures import medllm_transformer_model
from .loggers import console_logger
from .optimizers import make_learn_rate_scales, make_scaled_adam

registry.architectures.register("spacy_medllm.TransformerModel.v1", func=medllm_transformer_model)
registry.loggers.register("spacy_medllm.ConsoleLogger.v1", func=console_logger)
registry.optimizers.register("spacy_medllm.Adam.v1", func=make_scaled_adam)
registry.callbacks.register("spacy_medllm.learn_rate_scales.v1", func=make_learn_rate_scales)
