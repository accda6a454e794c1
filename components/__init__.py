"""The config fragments, shipped as ``spacy_medllm.components`` (pyproject.toml maps this folder
onto that package) so ``medllm config transformer ner`` finds them after any install."""
