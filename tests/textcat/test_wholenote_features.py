"""benchmarks/textcat_wholenote.py's frozen-encoder features on the tiny random BERT: every
window of a long note is read, and the sentence embedding is the mean of unit window vectors."""
import numpy

from benchmarks.textcat_wholenote import Encoder, cached_features


def test_features_read_every_window_and_sentence_embedding_is_unit_window_mean(tiny_encoder, tmp_path):
    encoder = Encoder(str(tiny_encoder), window=16, batch_size=4, threads=1)
    short, long_ = "chest pain .", " ".join(["no fever ."] * 20)
    assert len(encoder.windows(short)) == 1 and len(encoder.windows(long_)) > 2
    whole, first, sentence = encoder([short, long_])
    assert whole.shape == (2, 64) and first.shape == (2, 64) and sentence.shape == (2, 32)
    assert abs(numpy.linalg.norm(sentence[0]) - 1.0) < 1e-6  # one window: its own unit vector
    assert numpy.linalg.norm(sentence[1]) <= 1.0 + 1e-6
    # the long note's sentence embedding is the mean over all its windows, not the first one's
    ids = encoder.windows(long_)
    with encoder.torch.no_grad():
        outs = [encoder.model(input_ids=encoder.torch.tensor([w])).last_hidden_state[0].numpy().mean(0) for w in ids]
    want = numpy.mean([o / numpy.linalg.norm(o) for o in outs], axis=0)
    numpy.testing.assert_allclose(sentence[1], want, atol=1e-5)
    # cached: the second call reads the file, the same arrays
    again = cached_features(encoder, [short, long_], tmp_path / "feats")
    numpy.testing.assert_allclose(cached_features(encoder, [short, long_], tmp_path / "feats")[2], again[2])
    numpy.testing.assert_allclose(again[2], sentence, atol=1e-6)
