"""Text analysis for suggestions: the same words, stems and highlights for articles and tickets."""

import html
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache

import Stemmer

# A word is a run of letters/digits (any script), optionally joined by hyphens, dots or
# apostrophes: "e-mail", "facebook.com", "4.1.2", "can't" stay one word to begin with.
_WORD = re.compile(r"\w+(?:[-.'’]\w+)*")
_JOINERS = re.compile(r"[-.'’]")
_VERSION = re.compile(r"v\d+(?:\.\d+)+")
# Longer "words" are pasted URLs, hashes or garbage; they would only bloat the stem cache.
MAX_TOKEN_LENGTH = 40
_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # typo correction tries these

# Snowball's English list, minus the particles that change meaning in support questions
# ("log out", "sign up", "turn off"), plus indefinite pronouns, contractions and pleasantries.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of on once only or other our ours ourselves own
    same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until very was we were what when where which while who
    whom why will with would you your yours yourself yourselves
    also may might must shall us yet via etc ie eg
    i'm i've i'd i'll you're you've you'd you'll he's she's it's we're we've we'd we'll they're
    they've they'd they'll that's there's what's where's who's how's let's here's
    can't cannot couldn't don't doesn't didn't isn't aren't wasn't weren't won't wouldn't
    shouldn't hasn't haven't hadn't mustn't
    cant dont doesnt didnt isnt arent wasnt werent wouldnt couldnt shouldnt hasnt havent im ive
    youre whats thats theres hows whos
    anyone anybody anything someone somebody something everyone everybody everything nobody
    nothing
    hi hello hey dear thanks thank thx please pls regards cheers
    """.split()
)


def _fold(text: str) -> str:
    # NFKC first so full-width letters, ligatures and composed accents compare equal.
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens a folded word stands for: itself, or a compound's parts and joined form."""
    if "'" in word or "’" in word:
        word = word.replace("’", "'")
        if word in STOPWORDS:  # "can't", "we'll": drop them whole, never as "cant", "well"
            return (word,)
        word = word.removesuffix("'s").replace("'", "")
    if "-" not in word and "." not in word:
        return (word,) if len(word) <= MAX_TOKEN_LENGTH else ()
    # "two-factor" is also written "two factor" and "twofactor": index all three spellings,
    # but not lone letters ("e-mail" -> "e"), which would match every "e.g." in the corpus.
    parts = [part for part in _JOINERS.split(word) if len(part) > 1]
    joined = word.replace("-", "")
    if joined not in parts and stem(joined) not in {stem(part) for part in parts}:
        parts.append(joined)
    if _VERSION.fullmatch(joined):  # "V8.5.1.2" is the same release as "8.5.1.2"
        parts.append(joined[1:])
    return tuple(token for token in parts if len(token) <= MAX_TOKEN_LENGTH)


def iter_words(text: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """Each word of the text as (start, end, surface tokens); offsets index the original text."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), _word_tokens(_fold(match.group()))


_CAMEL = re.compile(r"[a-z][A-Z]")
_CAMEL_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _camel_parts(word: str) -> list[str]:
    """The parts of a CamelCase word longer than one letter ("ObjectServer": Object, Server)."""
    return [part for part in _CAMEL_SPLIT.split(word) if len(part) > 1]


def _split_camel(text: str) -> str:
    # "ObjectServer" is also written "Object Server": keep the word and add its parts.
    return _WORD.sub(
        lambda m: (
            m.group()
            if not _CAMEL.search(m.group())
            else m.group() + " " + " ".join(_camel_parts(m.group()))
        ),
        text,
    )


def surface_tokens(text: str) -> list[str]:
    """Case-folded word tokens as written, stopwords included, in text order."""
    if _CAMEL.search(text):
        text = _split_camel(text)
    words = _WORD.findall(_fold(text))
    joined = " ".join(words)  # scanning one string for joiners is far quicker than each word
    if not any(c in joined for c in "-.'’") and max(map(len, words), default=0) <= MAX_TOKEN_LENGTH:
        return words  # the common case, kept at C speed: no hyphenated or dotted words
    return [token for word in words for token in _word_tokens(word)]


def surface_words(text: str) -> list[tuple[str, ...]]:
    """`surface_tokens` grouped by written word: each word's readings ("two-factor": "two",
    "factor", "twofactor"; "ReqPro": "reqpro", "req", "pro"), stopwords included."""
    folded = _fold(text)
    if not _CAMEL.search(text) and not any(c in folded for c in "-.'’"):
        return [(word,) if len(word) <= MAX_TOKEN_LENGTH else () for word in _WORD.findall(folded)]
    words = []
    for match in _WORD.finditer(unicodedata.normalize("NFKC", text)):
        written = match.group()
        readings = _word_tokens(written.casefold())
        if _CAMEL.search(written):
            readings += tuple(
                t for part in _camel_parts(written) for t in _word_tokens(_fold(part))
            )
        words.append(readings)
    return words


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer instances keep state between calls, so each thread gets its own.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english", 0)
    return stemmer


# Stems by surface token, "" for a stopword. A plain dict: lookups in bulk run at C speed.
_stems: dict[str, str] = {}
STEM_CACHE_SIZE = 1 << 19


def stem(token: str) -> str | None:
    """The Snowball English stem of a surface token, or None for a stopword."""
    term = _stems.get(token)
    if term is None:
        term = _stem_new(token)
    return term or None


# British spellings and the American ones (which most software articles use), pair by pair:
# the stems of each pair count as one, so "licence", "licences" and "licensed" meet.
_SPELLINGS = """
    licence license  authorise authorize  organise organize  customise customize
    initialise initialize  optimise optimize  recognise recognize  synchronise synchronize
    minimise minimize  maximise maximize  prioritise prioritize  personalise personalize
    utilise utilize  finalise finalize  normalise normalize  serialise serialize
    categorise categorize  summarise summarize  realise realize  apologise apologize
    analyse analyze  visualise visualize  localise localize  centre center  fibre fiber
    colour color  behaviour behavior  favourite favorite  favour favor  honour honor
    catalogue catalog  dialogue dialog  programme program  defence defense  offence offense
    practise practice  grey gray  judgement judgment  enquiry inquiry  enquire inquire
""".split()


def _american_stems() -> dict[str, str]:
    stem_word = _stemmer().stemWord
    pairs = zip(_SPELLINGS[::2], _SPELLINGS[1::2], strict=True)
    return {stem_word(british): stem_word(american) for british, american in pairs}


_AMERICAN_STEMS = _american_stems()


def _stem_new(token: str) -> str:
    if len(_stems) >= STEM_CACHE_SIZE:  # garbage queries must not grow it without end
        _stems.clear()
    term = "" if token in STOPWORDS else _stemmer().stemWord(token)
    term = _AMERICAN_STEMS.get(term, term)
    _stems[token] = term
    return term


def stems(tokens: list[str]) -> list[str]:
    """Stems of surface tokens, in order, without the stopwords."""
    terms = list(map(_stems.get, tokens))
    if None in terms:
        pairs = zip(tokens, terms, strict=True)
        terms = [_stem_new(token) if term is None else term for token, term in pairs]
    return list(filter(None, terms))


def analyze(text: str) -> list[str]:
    """The terms BM25 sees: stems of the surface tokens, stopwords removed."""
    return stems(surface_tokens(text))


def one_edit_away(word: str) -> set[str]:
    """Every a-z spelling one deletion, swap, replacement or insertion away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {left + right[1:] for left, right in splits if right}
    edits.update(left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1)
    edits.update(left + c + right[1:] for left, right in splits if right for c in _LETTERS)
    edits.update(left + c + right for left, right in splits for c in _LETTERS)
    edits.discard(word)
    return edits


def ends_mid_word(text: str) -> bool:
    """True while the last word is still being typed (no space or punctuation after it)."""
    return bool(text) and (text[-1].isalnum() or text[-1] == "_")


def last_word_prefix(text: str) -> str:
    """The folded end of the last word (after any hyphen, dot or apostrophe), as typed so far."""
    # Only the tail is searched: a longer run is not a word anyone could be completing.
    match = re.search(r"\w+$", text[-(MAX_TOKEN_LENGTH + 1) :])
    return _fold(match.group()) if match else ""


def find_words(text: str, forms: Mapping[str, float]) -> list[tuple[int, int, float]]:
    """Spans (start, end, weight) of the words in `text` spelled as one of the folded `forms`."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer: do it slowly
        return [
            (start, end, weight)
            for start, end, tokens in iter_words(text)
            if (weight := max((forms.get(t, 0.0) for t in tokens), default=0.0)) > 0
        ]
    # str.find runs in C; testing a handful of spellings beats analysing every word in Python.
    spans = []
    for form, weight in forms.items():
        position = lowered.find(form)
        while position >= 0:
            end = position + len(form)
            if not _is_word_char(lowered, position - 1) and not _is_word_char(lowered, end):
                spans.append((position, end, weight))
            position = lowered.find(form, end)
    spans.sort()
    merged: list[tuple[int, int, float]] = []
    for start, end, weight in spans:
        if merged and start < merged[-1][1]:  # "facebook" inside "facebook.com"
            first, last, best = merged[-1]
            merged[-1] = (first, max(last, end), max(best, weight))
        else:
            merged.append((start, end, weight))
    return merged


def _is_word_char(text: str, position: int) -> bool:
    return 0 <= position < len(text) and (text[position].isalnum() or text[position] == "_")


def highlight(text: str, spans: list[tuple[int, int, float]], *, width: int = 200) -> str:
    """HTML-escaped window of about `width` characters holding the best spans, in <mark>."""
    begin, stop = _best_window(text, spans, width)
    out, cursor = [], begin
    for start, end, _ in spans:
        if begin <= start and end <= stop:
            out += [html.escape(text[cursor:start]), "<mark>", html.escape(text[start:end])]
            out.append("</mark>")
            cursor = end
    out.append(html.escape(text[cursor:stop]))
    return ("…" if begin > 0 else "") + "".join(out).strip() + ("…" if stop < len(text) else "")


def _best_window(text: str, spans: list[tuple[int, int, float]], width: int) -> tuple[int, int]:
    """The [begin, end) of the window holding the most match weight, cut at spaces."""
    if len(text) <= width:
        return 0, len(text)
    best, best_start, total, left = 0.0, 0, 0.0, 0
    for _, end, score in spans:
        total += score
        while end - spans[left][0] > width:
            total -= spans[left][2]
            left += 1
        if total > best:
            best, best_start = total, spans[left][0]
    # Open a little before the first match so the snippet reads as a sentence, not a fragment.
    begin = 0 if best_start < width // 4 else best_start - width // 8
    if begin:
        space = text.rfind(" ", max(0, begin - 20), begin)
        begin = space + 1 if space >= 0 else begin
    stop = min(len(text), begin + width)
    if stop < len(text):
        space = text.rfind(" ", begin + width // 2, stop)
        stop = space if space > 0 else stop
    return begin, stop


def bigrams(terms: Sequence[str]) -> list[str]:
    """Adjacent pairs of terms; the space keeps them apart from any single term."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
