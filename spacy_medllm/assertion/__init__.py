"""Assertion (negation, uncertainty, history, hypothetical, family) for clinical entities."""
from .schema import FLAGS, LABELS, PRECEDENCE, label_from_flags, register_extensions, set_assertion

__all__ = ["FLAGS", "LABELS", "PRECEDENCE", "label_from_flags", "register_extensions", "set_assertion"]
