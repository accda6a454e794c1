"""De-identification: ``medllm_deid`` (PHI rules + optional trained head), strategies, offset map."""
from .component import Deidentifier, merge_spans
from .offsets import OffsetMap
from .registry import make_deid
from .rules import LABELS, default_rules, read_rules

__all__ = ["Deidentifier", "OffsetMap", "LABELS", "default_rules", "read_rules", "make_deid", "merge_spans"]
