"""Reading what the customer typed: terms, word pairs, synonyms, typos, the word being typed."""

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kb.engine.analysis import (
    analyze,
    bigrams,
    ends_mid_word,
    find_words,
    highlight,
    last_word_prefix,
    one_edit_away,
    stem,
    stems,
    surface_tokens,
    surface_words,
)
from kb.engine.bm25 import top_k
from kb.engine.passages import PassageQuery, is_about_doing

MAX_QUERY_TERMS = 256
MAX_CORRECTIONS = 3  # typo corrections per query
# Unknown words read again as two words or as a typo, per query: each try costs ~50 µs, and
# pasted logs or garbage would otherwise pay it for every word.
MAX_REREAD = 8
MIN_CORRECTED_LENGTH = 5
MIN_SPLIT_LENGTH = 6
# Prefixes that negate a word ("unclosed", "nonroot"). Not "re", "dis", "mis" or "pre": too
# many words merely begin with them ("replies", "mistake", "present").
WORD_PREFIXES = ("un", "non")
MIN_ROOT_LENGTH = 4


@dataclass(slots=True)
class _Query:
    """Weighted term ids in query order, and what each word could add to a score at most."""

    terms: list[tuple[int, float]] = field(default_factory=list)
    most: list[float] = field(default_factory=list)
    bound: float = 0.0

    def close(self, words: int) -> "_Query":
        # A long ticket says more than any one article covers, so the best score still
        # possible is reckoned on its most informative words only.
        self.bound = sum(sorted(self.most, reverse=True)[:words])
        return self


class QueryReading:
    """The query side of SuggestIndex: turns text into weighted terms of this index."""

    def _parse(self, text: str) -> _Query:
        """Weighted terms of the typed text: its words and pairs, synonyms, the word being typed."""
        query = _Query()
        if not self.keys or not text:
            return query
        tokens = [token for token in surface_tokens(text) if stem(token)]
        typing = ends_mid_word(text)
        if len(tokens) > MAX_QUERY_TERMS:  # pasted logs or garbage: the opening is enough
            tokens, typing = tokens[:MAX_QUERY_TERMS], False
        if typing and tokens and len(tokens[-1]) < self.params.completion_min_prefix:
            if tokens[-1] == last_word_prefix(text):  # one letter of a word: which, nobody knows
                tokens = tokens[:-1]
        terms = stems(tokens)
        joins = self._joins(tokens, terms)
        joined = {i + j for i in joins for j in (0, 1)}
        corrections = tried = 0
        read, unread = set(), []
        for i, (token, term) in enumerate(zip(tokens, terms, strict=True)):
            if self._add_term(query, term, 1.0) or (typing and i == len(terms) - 1):
                read.add(i)
                continue  # known, or still being typed (completion below takes care of it)
            if i in joined:
                read.add(i)
                continue  # half of a word written as two ("web site"): see _add_compounds
            if not token.isalpha():
                continue  # codes, versions and names with digits or dots: see below
            if tried < MAX_REREAD:
                tried += 1
                if self._add_split(query, token) or self._add_unprefixed(query, token):
                    read.add(i)
                    continue
                if corrections < MAX_CORRECTIONS and self._add_correction(query, token):
                    corrections += 1
                    read.add(i)
                    continue
            unread.append(i)
        # A word no article uses is part of a question nothing answers; codes, versions and
        # names with digits or dots say nothing about that, so they are let be.
        if unread:
            unseen = self.params.unknown_word_weight * self._unseen_most
            query.most += [unseen] * _unknown_words(text, tokens, unread, read)
        if self.params.bigram_weight:
            for pair in bigrams(terms):
                self._add_term(query, pair, self.params.bigram_weight)
        self._add_synonyms(query, terms)
        self._add_compounds(query, terms, joins)
        if typing:
            prefix = last_word_prefix(text)
            before = terms[:-1] if tokens and tokens[-1] == prefix else terms
            self._add_completions(query, prefix, before[-1] if before else None)
        return query

    def _add_term(self, query: _Query, term: str, weight: float) -> bool:
        t = self._term_ids.get(term)
        if t is not None:
            query.terms.append((t, weight))
            query.most.append(self._most(t, weight))
        return t is not None

    def _add_split(self, query: _Query, token: str) -> bool:
        """Read an unknown word as two the articles write side by side ("signup": "sign up")."""
        if not MIN_SPLIT_LENGTH <= len(token) <= 20:
            return False
        for i in range(2, len(token) - 1):
            first, second = stem(token[:i]), stem(token[i:])
            if first and second and f"{first} {second}" in self._term_ids:
                weight = self.params.synonym_weight / 2
                alternatives = [self._known((first, second), weight)]
                self._add_alternatives(query, 0.0, alternatives)
                return True
        return False

    def _add_unprefixed(self, query: _Query, token: str) -> bool:
        """Read an unknown negated word as the word it negates ("unclosed": "closed"):
        articles say "not closed", "is not shared", "a user who is not an admin"."""
        for prefix in WORD_PREFIXES:
            root = token[len(prefix) :]
            if token.startswith(prefix) and len(root) >= MIN_ROOT_LENGTH:
                if self._add_term(query, stem(root) or "", self.params.typo_weight):
                    return True
        return False

    def _add_correction(self, query: _Query, token: str) -> bool:
        """Read an unknown word as the commonest known word one typo away from it, if any."""
        if not (MIN_CORRECTED_LENGTH <= len(token) <= 20 and token.isascii() and token.isalpha()):
            return False
        found = {}
        for word in one_edit_away(token):
            if (t := self._correctable(word)) is not None:
                found[word] = t
        if not found:
            return False
        best = min(found, key=lambda word: (-self._df[found[word]], word))
        query.terms.append((t := found[best], self.params.typo_weight))
        query.most.append(self._most(t, self.params.typo_weight))
        return True

    def _most(self, t: int, weight: float) -> float:
        """The most a term can add to a score: BM25's tf part tends to k1 + 1."""
        # The main index only: a title match is a bonus on top (relative scores may pass 1).
        return weight * max(self._idf[t], 0.0) * (self.params.k1 + 1)

    def _add_alternatives(
        self, query: _Query, present: float, alternatives: list[list[tuple[int, float]]]
    ) -> None:
        # An article usually says one of several equivalent things, so the best score still
        # possible grows by the best alternative beyond what the query said itself.
        best = max((sum(self._most(t, w) for t, w in a) for a in alternatives), default=0.0)
        query.most.append(max(0.0, best - present))
        query.terms += [term for alternative in alternatives for term in alternative]

    def _known(self, terms: Iterable[str], weight: float) -> list[tuple[int, float]]:
        ids = (self._term_ids.get(term) for term in terms)
        return [(t, weight) for t in ids if t is not None]

    def _add_synonyms(self, query: _Query, terms: list[str]) -> None:
        matched: dict[int, set[int]] = {}
        for i, term in enumerate(terms):
            for g, m in self._synonym_starts.get(term, ()):
                member = self._synonyms[g][m]
                if tuple(terms[i : i + len(member)]) == member:
                    matched.setdefault(g, set()).add(m)
        for g, members in matched.items():
            group = self._synonyms[g]
            present = max(
                sum(self._most(t, 1.0) for t, _ in self._known(group[m], 1.0)) for m in members
            )
            alternatives = [
                self._known(member, self.params.synonym_weight / len(member))
                for m, member in enumerate(group)
                if m not in members
            ]
            self._add_alternatives(query, present, alternatives)

    def _joins(self, tokens: list[str], terms: list[str]) -> dict[int, int]:
        """Neighbouring words the articles write as one ("web site": "website"), by position."""
        joins = {}
        for i in range(len(tokens) - 1):
            # Joined as written, then stemmed: "web site" is "websit", not "web" + "site".
            joined = stem(tokens[i] + tokens[i + 1])
            t = self._term_ids.get(joined) if joined else None
            if t is not None and joined not in terms:
                joins[i] = t
        return joins

    def _add_compounds(self, query: _Query, terms: list[str], joins: dict[int, int]) -> None:
        """A word the articles also write as two ("fixpack", "fix pack") matches both spellings,
        and so do two words the articles also write as one ("pull down", "pulldown")."""
        weight = self.params.synonym_weight
        for term in terms:
            t = self._term_ids.get(term)
            pair = None if t is None else self._compound(t)
            if pair is not None:
                present = self._most(t, 1.0)
                self._add_alternatives(query, present, [[(t, weight / 2) for t in pair]])
        for i, t in joins.items():
            present = sum(self._most(known, 1.0) for known, _ in self._known(terms[i : i + 2], 1.0))
            self._add_alternatives(query, present, [[(t, weight)]])

    def _add_completions(self, query: _Query, prefix: str, previous: str | None) -> None:
        params = self.params
        if len(prefix) < params.completion_min_prefix:
            return
        lo = bisect_left(self._surface, prefix)
        hi = bisect_left(self._surface, prefix + "\U0010ffff", lo)
        literal = stem(prefix)
        literal_id = self._term_ids.get(literal) if literal is not None else None
        # The commonest words are the likeliest completions (ties: alphabetical order).
        wanted = 4 * params.completion_max_terms
        if hi - lo > 4 * wanted:
            best = top_k(self._surface_df[lo:hi], wanted).tolist()
        else:  # a few words: sorting them in Python beats numpy's overhead per call
            df_of = self._surface_df[lo:hi].tolist()
            best = sorted(range(hi - lo), key=df_of.__getitem__, reverse=True)[:wanted]
        stems_of = self._arrays["surface_stem"][lo:hi].tolist()
        found = dict.fromkeys([stems_of[i] for i in best])
        found.pop(literal_id, None)
        # Words that follow the previous one in titles and summaries are the likelier
        # completions ("reset pa": "reset password"), and the pair counts as a pair.
        pairs = {}
        if previous is not None:
            for t in found:
                pair = self._term_ids.get(f"{previous} {self._terms[t]}")
                if pair is not None:
                    pairs[t] = pair
        chosen = list(pairs or found)[: params.completion_max_terms]
        if not chosen:
            return
        # A stopword ("the", "to") is a finished word far more often than the start of one.
        share = params.completion_weight_unknown
        if literal is None or literal_id is not None:
            share = params.completion_weight
        # A handful of numbers: plain Python beats numpy's overhead per call.
        df = [float(self._indptr[t + 1] - self._indptr[t]) for t in chosen]
        total = sum(df)
        present = self._most(literal_id, 1.0) if literal_id is not None else 0.0
        alternatives = []
        for t, d in zip(chosen, df, strict=True):
            w = share * d / total
            pair = pairs.get(t)
            alternatives.append(
                [(t, w)] if pair is None else [(t, w), (pair, w * params.bigram_weight)]
            )
        self._add_alternatives(query, present, alternatives)

    def _highlight_forms(self, terms: list[tuple[int, float]]) -> dict[str, float]:
        """Every spelling of the query's terms seen in the articles, weighted by importance."""
        forms: dict[str, float] = {}
        for t, w in terms:
            weight = w * max(self._idf[t], 1e-3)
            for form in self._spellings(t):
                forms[form] = max(forms.get(form, 0.0), weight)
        return forms

    def _spellings(self, t: int) -> tuple[str, ...]:
        spellings = self._forms_cache.get(t)
        if spellings is None:
            lo, hi = self._forms_ptr[t], self._forms_ptr[t + 1]
            spellings = tuple(self._surface[i] for i in self._forms_order[lo:hi].tolist())
            if len(self._forms_cache) < 100_000:  # bounded: a cache, not a copy of the index
                self._forms_cache[t] = spellings
        return spellings

    def passage_query(self, text: str) -> PassageQuery:
        """The question as passages are ranked on: each of its terms (completions, synonyms and
        corrections included) weighed by its idf among the articles, and its words to mark."""
        query = self._parse(text)
        weights: dict[str, float] = {}
        for t, w in query.terms:
            term = self._terms[t]
            weights[term] = weights.get(term, 0.0) + w * max(self._idf[t], 1e-3)
        return PassageQuery(weights, self._highlight_forms(query.terms), is_about_doing(text))

    def _snippet(self, d: int, forms: dict[str, float]) -> str:
        source = self._sources[d]
        return highlight(source, find_words(source, forms), width=self.params.snippet_width)


def _unknown_words(text: str, tokens: list[str], unread: list[int], read: set[int]) -> int:
    """How many written words are unknown, given which of the text's `tokens` (by position)
    were read and which were not: a word with several readings ("ReqPro": "reqpro", "req",
    "pro") is unknown only if none of them was read."""
    grouped = [
        (w, t) for w, readings in enumerate(surface_words(text)) for t in readings if stem(t)
    ]
    if [t for _, t in grouped[: len(tokens)]] != tokens:
        # Compatibility characters ("classy™") can read differently word by word than in
        # the whole text; then each unread token counts as a word, as before grouping.
        return len(unread)
    return len({grouped[i][0] for i in unread} - {grouped[i][0] for i in read})


def analyse_synonyms(groups: Iterable[Sequence[str]]) -> list[list[list[str]]]:
    """Each group's members as stem sequences; members that analyse to nothing are dropped."""
    analysed = []
    for group in groups:
        members: list[list[str]] = []
        for member in group:
            terms = analyze(member)
            if terms and terms not in members:
                members.append(terms)
        if len(members) > 1:
            analysed.append(members)
    return analysed
