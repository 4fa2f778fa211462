"""coach/sentence_embedding.py: the encoder's BLAS threads per call and the vectors it gives."""
import numpy as np
from threadpoolctl import threadpool_info

from coach import meaning, sentence_embedding
from coach.knowledge_base import load


def blas_threads():
    """The threads of numpy's BLAS, which the encoder runs on (scipy may bring a BLAS of its own)."""
    return max(info["num_threads"] for info in threadpool_info()
               if info["user_api"] == "blas" and "numpy" in info["filepath"])


def test_chat_text_is_encoded_on_one_thread_and_a_practice_answers_clauses_on_two(monkeypatch):
    no_time = load().excuse("excuse_no_time")
    meaning.point_similarities(no_time, "Das ist ein Anfang.")  # its key points' phrasings, embedded once
    encoder = sentence_embedding._encoder()
    seen = []
    real = encoder.encode

    def recording(texts):
        seen.append(blas_threads())
        return real(texts)

    monkeypatch.setattr(encoder, "encode", recording)
    sentence_embedding.embed(["Keine Zeit für so was, und Datenschutz", "und Datenschutz"])
    meaning.point_similarities(no_time, "Zehn Minuten reichen. Ihre Kunden sind dort unterwegs.")
    assert seen == [sentence_embedding.CHAT_THREADS, sentence_embedding.PRACTICE_THREADS]


def test_a_text_gets_the_same_vector_alone_and_in_a_batch():
    texts = ["Zehn Minuten am Morgen reichen völlig", "Ihre Kunden lesen still mit"]
    batch = sentence_embedding._encode(texts)
    alone = np.vstack([sentence_embedding._encode([t]) for t in texts])
    assert np.allclose(batch, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
