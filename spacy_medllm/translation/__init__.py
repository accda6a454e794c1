"""Clinical translation: the `medllm_translator` component, term protection and its training workflow.

Nothing heavy is imported here: torch and transformers load only when a translator is built.
"""
