"""Only what pyproject.toml cannot say: the package list is the discovered ``spacy_medllm*`` packages
plus ``spacy_medllm.components``, which lives in the top-level components/ folder
(``[tool.setuptools.package-dir]`` maps it) and so is not found by discovery."""
from setuptools import find_namespace_packages, setup

setup(packages=find_namespace_packages(include=["spacy_medllm", "spacy_medllm.*"]) + ["spacy_medllm.components"])
