"""The ranking model: TF-IDF features of title + abstract and a linear classifier.

Baseline (the proven design of ASReview and of Cohen et al. 2006): word uni- and bigrams with
sublinear term frequency, a linear support vector machine with balanced class weights, retrained
on every decision. Before the first include is known there is nothing to learn from, so records
are ranked by their TF-IDF cosine similarity to a query (the protocol's inclusion keywords,
eligibility criteria and questions).

numpy, scipy and scikit-learn are imported inside functions: ``--help`` and the random
screener never load them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

# Feature sets, by name. Each is a TfidfVectorizer configuration; "ensemble" models average
# the standardised scores of one classifier per feature set.
FEATURE_SETS: dict[str, dict[str, Any]] = {
    "word": {
        "analyzer": "word",
        "ngram_range": (1, 2),
        "sublinear_tf": True,
        "min_df": 2,
        "max_df": 0.95,
        "strip_accents": "unicode",
    },
    "word1": {  # the same with every term kept (scikit-learn's and ASReview's min_df = 1)
        "analyzer": "word",
        "ngram_range": (1, 2),
        "sublinear_tf": True,
        "min_df": 1,
        "max_df": 0.95,
        "strip_accents": "unicode",
    },
    "char": {
        "analyzer": "char_wb",
        "ngram_range": (3, 5),
        "sublinear_tf": True,
        "min_df": 2,
        "max_df": 0.95,
        "max_features": 300_000,
    },
}

# Models, by name: which feature sets and which classifier.
MODELS: dict[str, tuple[tuple[str, ...], str]] = {
    "svm": (("word",), "svm"),  # the baseline with terms in >= 2 records
    "svm-weighted": (("word",), "svm-weighted"),
    "svm-mix": (("word",), "svm+svm-weighted"),  # both weightings, scores averaged
    "svm-c1": (("word",), "svm-c1"),  # scikit-learn's default C = 1
    "svm-df1": (("word1",), "svm"),  # the default: every term kept
    "svm-weighted-df1": (("word1",), "svm-weighted"),
    "logistic": (("word",), "logistic"),
    "svm-char": (("char",), "svm"),
    "ensemble": (("word", "char"), "svm"),
}
DEFAULT_MODEL = "svm-df1"  # chosen leave-one-dataset-out, see docs/ranking.md


def record_text(title: str, abstract: str, keywords: Sequence[str] = ()) -> str:
    """The text a record is ranked by: title, abstract and keywords."""
    return " ".join(x for x in (title, abstract, " ".join(keywords)) if x)


@dataclass
class Features:
    """TF-IDF matrices of every record (rows in the caller's order), one per feature set."""

    names: tuple[str, ...]
    matrices: list[Any]  # scipy.sparse CSR, one per feature set
    vectorizers: list[Any]

    @property
    def n(self) -> int:
        return self.matrices[0].shape[0]


def build_features(texts: Sequence[str], model: str = DEFAULT_MODEL) -> Features:
    """Fit the model's TF-IDF vectorisers on all texts (unsupervised: no label is used)."""
    names = MODELS[model][0]
    texts = [t or "" for t in texts]
    mats, vecs = [], []
    for name in names:
        mat, vec = build_one(texts, name)
        mats.append(mat)
        vecs.append(vec)
    return Features(names, mats, vecs)


def feature_params(name: str, n: int) -> dict[str, Any]:
    """The vectoriser settings of feature set ``name`` for ``n`` records."""
    params = dict(FEATURE_SETS[name])
    if n < 20:  # tiny files: keep every term
        params["min_df"], params["max_df"] = 1, 1.0
    return params


def build_one(texts: Sequence[str], name: str) -> tuple[Any, Any]:
    """(TF-IDF matrix, fitted vectoriser) of one feature set over ``texts``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec: Any = SortedTfidf(feature_params(name, len(texts)))
    try:
        mat = vec.fit_transform(texts)
        vec.counts.stop_words_ = None  # the dropped terms: not needed, can be large
    except ValueError:  # no term at all (empty texts): a constant feature
        vec = TfidfVectorizer(analyzer=lambda _t: ["_"], dtype=_float64())
        mat = vec.fit_transform(texts).tocsr()
    return mat, vec


class SortedTfidf:
    """TF-IDF as scikit-learn's ``TfidfVectorizer`` computes it, with each record's term counts
    put in column order before weighting: every row is then the same bits whatever order the
    records came in, so features cached in one order serve another (review/rank/featcache.py).

    Fitted from kept term counts (:meth:`fit_counts`), it holds the terms as a
    :class:`review.rank.termtable.TermTable` and makes ``vocabulary_`` (a dict of every kept
    term: 4 million at a million records, about 0.5 GB) only if asked: the query is counted by
    looking its terms up in the table."""

    def __init__(self, params: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        params = dict(params)
        self.weights = TfidfTransformer(sublinear_tf=params.pop("sublinear_tf", False))
        self.counts = CountVectorizer(dtype=_float64(), **params)
        self._table: Any = None  # TermTable, when fitted from counts
        self._kept: Any = None  # bool per term of the table: in the vocabulary
        self._column: Any = None  # place in the table -> column, -1 when pruned

    @property
    def vocabulary_(self) -> dict[str, int]:
        if getattr(self.counts, "vocabulary_", None) is None and self._table is not None:
            from review.rank.termcounts import vocabulary

            self.counts.vocabulary_ = vocabulary(self._table, self._kept)
        return self.counts.vocabulary_

    @property
    def analyzer(self) -> Any:
        return self.counts.analyzer

    def fit_transform(self, texts: Sequence[str]) -> Any:
        counts = self.counts.fit_transform(texts).tocsr()
        counts.sort_indices()
        return self.weights.fit_transform(counts).tocsr()

    def fit_counts(self, counts: Any, terms: Any, kept: Any) -> Any:
        """TF-IDF of a term-count matrix already pruned and in column order (float64), as
        :meth:`fit_transform` computes it from the texts (review/rank/termcounts.py builds it
        from cached counts), weighted in place; the vectoriser is then fitted with the terms of
        the table ``terms`` that ``kept`` marks."""
        from sklearn.preprocessing import normalize

        self._table, self._kept = terms, kept
        self.counts.fixed_vocabulary_ = False
        self.counts.stop_words_ = None
        counts.sort_indices()
        w = self.weights
        w.fit(counts)
        # what TfidfTransformer.transform does, in place (it would copy the matrix, and make
        # idf_[indices] for every count at once: 2.2 GB at a million records)
        data, indices = counts.data, counts.indices
        if w.sublinear_tf:
            np = _numpy()
            np.log(data, out=data)
            data += 1.0
        step = 1 << 22
        for a in range(0, len(data), step):
            data[a : a + step] *= w.idf_[indices[a : a + step]]
        return normalize(counts, norm=w.norm, copy=False).tocsr()

    def transform(self, texts: Sequence[str]) -> Any:
        if self._table is None or getattr(self.counts, "vocabulary_", None) is not None:
            counts = self.counts.transform(texts).tocsr()
        else:
            counts = self._count_known(texts)
        counts.sort_indices()
        return self.weights.transform(counts).tocsr()

    def _count_known(self, texts: Sequence[str]) -> Any:
        """The texts' counts of the vocabulary's terms, as ``CountVectorizer.transform`` gives
        them, each term looked up in the table."""
        np = _numpy()
        import scipy.sparse as sp

        if self._column is None:
            self._column = np.full(len(self._kept), -1, dtype=np.int64)
            self._column[self._kept] = np.arange(int(self._kept.sum()))
        analyze = self.counts.build_analyzer()
        seen: dict[str, int] = {}
        indptr: list[int] = [0]
        indices: list[int] = []
        values: list[int] = []
        for doc in texts:
            counter: dict[int, int] = {}
            for term in analyze(doc):
                col = seen.get(term)
                if col is None:
                    place = self._table.find(term)
                    col = seen[term] = -1 if place < 0 else int(self._column[place])
                if col >= 0:
                    counter[col] = counter.get(col, 0) + 1
            indices.extend(counter)
            values.extend(counter.values())
            indptr.append(len(indices))
        return sp.csr_matrix(
            (
                np.asarray(values, dtype=np.float64),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(texts), int(self._kept.sum())),
        )

    def indexed_words(self, stems: Sequence[str]) -> list[str]:
        """The vocabulary's words (terms without a space) that start with one of ``stems``,
        in sorted order."""
        if self._table is None or getattr(self.counts, "vocabulary_", None) is not None:
            starts = tuple(stems)
            return sorted(t for t in self.vocabulary_ if " " not in t and t.startswith(starts))
        places = sorted(set().union(*(self._table.prefixed(s) for s in stems)))
        words = (self._table.term(i) for i in places if self._kept[i])
        return [w for w in words if " " not in w]  # the table's order: sorted


def _numpy() -> Any:
    import numpy as np

    return np


def _float64() -> Any:
    import numpy as np

    return np.float64  # what liblinear works in: no copy per fit


# Includes weigh this many times more than excludes in total ("svm-weighted"; ASReview LAB 3's
# default ELAS u4 uses 9.8 with C = 0.11, chosen on the 26 SYNERGY reviews).
INCLUDE_RATIO = 9.8


def _classifier(kind: str, seed: int, y: Any = None) -> Any:
    from sklearn.svm import LinearSVC

    if kind == "svm":
        return LinearSVC(C=0.1, class_weight="balanced", random_state=seed)
    if kind == "svm-c1":
        return LinearSVC(C=1.0, class_weight="balanced", random_state=seed)
    if kind == "svm-weighted":
        n1 = int(y.sum())
        n0 = len(y) - n1
        return LinearSVC(
            C=0.11, class_weight={1: 1.0, 0: n1 / (INCLUDE_RATIO * n0)}, random_state=seed
        )
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000, random_state=seed)


def scores(
    features: Features, train_rows: ArrayLike, y: ArrayLike, model: str, seed: int = 0
) -> Any:
    """Relevance scores of every row (numpy float array; higher = screen earlier).

    ``y`` holds 0/1 labels of ``train_rows``; both classes must be present.
    """
    import numpy as np

    kind = MODELS[model][1]
    rows = np.asarray(train_rows, dtype=np.int64)
    target = np.asarray(y, dtype=np.int8)
    total = np.zeros(features.n, dtype=np.float64)
    for mat in features.matrices:
        train = mat[rows]
        for one in kind.split("+"):
            clf = _classifier(one, seed, target)
            clf.fit(train, target)
            s = clf.decision_function(mat)
            sd = float(s.std())
            total += (s - s.mean()) / (sd if sd > 0 else 1.0)
    return total


WORD = re.compile(r"\w+")


def query_text(
    keywords: Sequence[str], criteria: Sequence[str] = (), questions: Sequence[str] = ()
) -> str:
    """The query used before the first include: keywords count twice (a trailing ``*`` is kept:
    :func:`query_scores` expands it to every indexed word with that beginning)."""
    kw = " ".join(w.strip() for w in keywords if w.strip())
    return " ".join(x for x in (kw, kw, *criteria, *questions) if x)


def query_scores(features: Features, query: str) -> Any | None:
    """Cosine similarity of every record to ``query`` (None when the query shares no term)."""
    import numpy as np

    if not query.strip():
        return None
    total = np.zeros(features.n, dtype=np.float64)
    hit = False
    stems = [w[:-1].lower() for w in query.split() if w.endswith("*") and len(w) > 2]
    for vec, mat in zip(features.vectorizers, features.matrices, strict=True):
        text = query.replace("*", " ")
        if stems and isinstance(vec, SortedTfidf) and vec.analyzer == "word":
            # in sorted order, not the vocabulary's (the order the records came in): the
            # scores do not depend on the records' order (nor on a cache)
            text += " " + " ".join(vec.indexed_words(stems))
        q = vec.transform([text])
        if q.nnz == 0:
            continue
        hit = True
        total += np.asarray((mat @ q.T).todense()).ravel()
    return total if hit else None
