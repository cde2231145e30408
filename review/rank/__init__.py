"""Prioritised screening: rank records by a model of one reviewer's own decisions.

- :mod:`review.rank.metrics` — WSS, RRF and recall curves of a screening order (pure Python);
- :mod:`review.rank.model` — TF-IDF features and the linear ranker (scikit-learn, imported
  lazily), plus the query ranking used before the first include;
- :mod:`review.rank.simulate` — replay screening on a labelled file (``simulate``);
- :mod:`review.rank.stopping` — the hypergeometric stopping test of Callaghan & Müller-Hansen
  (2020) and the labelled heuristics.

Light to import: numpy, scipy and scikit-learn are imported inside functions only.
"""
