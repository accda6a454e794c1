"""Document classification: metrics, readers and the pretrained-checkpoint adapter."""
