"""The practice scorer on trainee answers by independent authors: share of answers in the band a
trainer would give, overall and per kind, on tests/practice/answers_tuning.yml (the set its
thresholds were tuned on), and on answers_tuning_polarity.yml (answers that must earn nothing). The other sets, and the scoring time per answer (a speed
target), are reported by `make bench`, not gated here."""
from bench.practice_answers import SETS, evaluate, load

MIN_IN_BAND = 0.9        # overall (see results/bench-practice.json for the figures of each run)
MIN_PER_KIND = 0.8       # strong, one_point, agree, keywords, negated, off_topic
MIN_POLARITY_IN_BAND = 0.75  # answers_tuning_polarity.yml: answers that use the points' words to reject them


def test_answers_land_in_their_band_by_meaning_not_by_keywords():
    report = evaluate(load(SETS["tuning"]))
    weak = {kind: r["in_band"] for kind, r in report["per_kind"].items() if r["in_band"] < MIN_PER_KIND}
    misses = "\n".join(f"{m['id']}: {m['score']} not in {m['band']}" for m in report["misses"])
    assert report["in_band"] >= MIN_IN_BAND and not weak, (
        f"{report['in_band']:.1%} in band, weak kinds {weak}; misses:\n{misses}")


def test_answers_that_reject_or_concede_the_points_earn_nothing():
    report = evaluate(load(SETS["polarity"]))
    misses = "\n".join(f"{m['id']}: {m['score']}" for m in report["misses"])
    assert report["in_band"] >= MIN_POLARITY_IN_BAND, f"{report['in_band']:.1%} in band; misses:\n{misses}"
