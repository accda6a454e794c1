"""Document classification: metrics, readers, the pretrained-checkpoint adapter and medllm_textcat."""
