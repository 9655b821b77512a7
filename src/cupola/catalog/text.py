"""Words for the full-text index and for showing a hit.

The lexicon pipeline (``make_lexicon``) reads HTML, splits Unicode words,
folds case and accents, drops stop words and stems; ``snippet`` marks the
query terms in a result with the same folding. Runs of CJK ideographs and
kana are indexed as overlapping bigrams ("東京都" -> "東京", "京都"), so a
query of two or more such characters is found as a phrase of bigrams.
"""

import functools
import html
import re
import unicodedata

import snowballstemmer
from zope.index.text.lexicon import Lexicon

CACHE_SIZE = 50_000  # words per cache; cleared, not evicted, when full
SNIPPET_SCAN = 200_000  # characters searched for the first hit

_CJK = ("\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff")
# Combining marks are not \w to re, yet belong inside words (decomposed
# accents, Indic vowel signs, Hebrew points). BMP only: astral ranges make
# every character test slow.
def _mark_ranges():
    """The BMP's combining marks as a character class body of ranges
    ("a-z" form): short, so that the patterns below compile fast."""
    marks = [cp for cp in range(0x300, 0x10000)
             if unicodedata.category(chr(cp))[0] == "M"]
    ranges, start = [], marks[0]
    for prev, cp in zip(marks, marks[1:] + [None]):
        if cp != prev + 1:
            ranges.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
            start = cp
    return "".join(ranges)


_MARKS = _mark_ranges()
_W = rf"[^\W_{_CJK}]"  # a letter or digit outside CJK; "_" splits words
_PART = rf"{_W}+(?:[{_MARKS}]+{_W}*)*"
_WORD = rf"{_PART}(?:'{_PART})*"  # "don't", "rock'n'roll"
_GLOB = rf"{_PART}(?:'{_PART}|[*?]+(?:{_PART})?)*"
WORDS = re.compile(rf"{_WORD}|[{_CJK}]+")


@functools.lru_cache(maxsize=None)
def globs():
    """WORDS with ``*`` and ``?`` kept (query terms); compiled on first
    use, as only searches need it (a third of this module's import)."""
    return re.compile(rf"{_GLOB}|[{_CJK}]+")


_CJK_RUN = re.compile(rf"[{_CJK}]+")
# The same words as WORDS, faster, for text without apostrophes or non-ASCII.
_NO_APOSTROPHE = re.compile(rf"{_PART}|[{_CJK}]+")
# ASCII text without apostrophes: words are runs of [A-Za-z0-9], found three
# times faster than by a pattern by turning every other character to a space.
_ASCII_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if not (
    c.isascii() and c.isalnum())})
_ASCII_APOSTROPHE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
# A French or Italian elided article is a word of its own: "l'homme" ->
# "l", "homme"; so is any single letter ("qu'il", "dell'arte", "o'neil").
_ELISIONS = frozenset("qu jusqu lorsqu puisqu quoiqu dell all dall nell sull "
                      "coll un quest quell".split())

_DROPPED = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)",
                      re.S | re.I)
# Inline tags do not separate words ("H<sub>2</sub>O"); all others do.
# [^<>], not [^>]: a stray "<" without ">" must not rescan the rest.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp"
    r"|small|span|strong|sub|sup|time|u|var|wbr)\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<[!?][^<>]*>")
_SPACES = re.compile(r"\s+")


def _strip_markup(text):
    if "<" in text:
        text = _TAG.sub(" ", _INLINE_TAG.sub("", _DROPPED.sub(" ", text)))
    if "&" in text:
        text = html.unescape(text)
    return text


def _elision(word):
    """Length of the elided article that starts *word*, or 0."""
    head = word.partition("'")[0]
    if len(head) < len(word) and (
            len(head) == 1 and head.isalpha() or head.lower() in _ELISIONS):
        return len(head)
    return 0


def _refine(words):
    out = []
    for word in words:
        if _CJK_RUN.match(word):
            out += [word[i:i + 2] for i in range(len(word) - 1)] or [word]
        elif "'" in word and _elision(word):
            cut = _elision(word)
            out += [word[:cut], word[cut + 1:]]
        else:
            out.append(word)
    return out


def _split(text, pattern):
    if "<" in text or "&" in text:
        text = _strip_markup(text)
    ascii = text.isascii()
    if not ascii and "’" in text:
        text = text.replace("’", "'")
    apostrophe = "'" in text
    if pattern is WORDS:
        if not apostrophe:
            if ascii:
                return text.translate(_ASCII_SPACES).split()
            pattern = _NO_APOSTROPHE
        elif ascii:
            pattern = _ASCII_APOSTROPHE
    words = pattern.findall(text)
    if apostrophe or not ascii and _CJK_RUN.search(text):
        return _refine(words)
    return words


class HTMLWordSplitter:
    """Split text or HTML into words: markup, entities and the content of
    script and style dropped; CJK runs as bigrams."""

    def process(self, texts):
        return [w for text in texts for w in _split(text, WORDS)]

    def processGlob(self, texts):
        return [w for text in texts for w in _split(text, globs())]


_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i",
                          "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
_folded = {}  # {word: folded}


def fold(word):
    """*word* casefolded, NFKC, accents of Latin and Greek letters removed
    ('Über' -> 'uber'); Cyrillic й and ё are letters, not accents."""
    if word.isascii():
        return word.lower()
    folded = _folded.get(word)
    if folded is None:
        chars, keep_marks = [], False
        for c in unicodedata.normalize("NFKD", word):
            if "\u0300" <= c <= "\u036f":
                if keep_marks:
                    chars.append(c)
            else:
                keep_marks = "\u0400" <= c <= "\u052f"
                chars.append(c)
        folded = unicodedata.normalize(
            "NFKC", "".join(chars).casefold().translate(_LETTERS))
        if len(_folded) >= CACHE_SIZE:
            _folded.clear()
        _folded[word] = folded
    return folded


class Normalizer:
    """Fold case, compatibility forms and accents (see ``fold``)."""

    def process(self, words):
        return [w.lower() if w.isascii() else fold(w) for w in words]


def language_code(language):
    """'en-US', 'de_DE', 'FR' -> 'en', 'de', 'fr'."""
    return re.split("[-_]", (language or "").strip().lower())[0]


STOP_WORDS = {
    "en": """a about an and are as at be been but by can do for from had has have
        he her his i if in into is it its me more my no not of on or our she so
        than that the their them then there these they this to us was we were
        what when which who will with would you your""",
    "de": """aber alle als also am an auch auf aus bei bin bis bist da damit dann
        das dass dem den denn der des die dies diese dieser doch du durch ein
        eine einem einen einer eines er es für hat hatte ich ihr im in ist ja
        kein mit nach nicht noch nur oder sich sie sind so über um und uns von
        vor war was wenn wie wir wird zu zum zur""",
    "fr": """à au aux avec c ce ces d dans de des du elle en est et eux il ils j
        je l la le les leur lui m ma mais me même mes moi mon n ne nos notre
        nous on ou où par pas pour qu que qui s sa se ses son sur t ta te toi
        ton tu un une vos votre vous y""",
    "es": """a al algo como con de del el ella ellas ellos en entre era es esta
        este esto están fue ha hay la las le les lo los me mi muy más no nos o
        para pero por que qué se sin sobre su sus también te tu un una uno y ya
        yo""",
    "nl": """aan al als bij dan dat de der deze die dit door een en er had heb
        heeft het hij hoe ik in is je kan maar me met mij na naar niet nog nu of
        om onder ook op over te tot u uit van veel voor was wat we wel werd wie
        wij zal ze zich zij zijn zo""",
    "it": """a ad al all alla alle anche c che chi ci come con d da dal dalla
        degli dei del dell della delle di e è ed gli ha hanno i il in io l la le
        lei li lo loro lui ma mi ne nel nell nella noi non o per più quella
        quello questa questo se si sono su sul sua suo tra tu un una uno voi""",
}
_stop_sets = {}  # {language code: frozenset of folded words}


class StopWords:
    """Drop the common words of *language*; none for an unknown language."""

    def __init__(self, language):
        self.language = language_code(language)  # the only stored state

    @property
    def words(self):
        words = _stop_sets.get(self.language)
        if words is None:
            words = _stop_sets[self.language] = frozenset(
                fold(w) for w in STOP_WORDS.get(self.language, "").split())
        return words

    def process(self, words):
        stop = self.words
        return [w for w in words if w not in stop] if stop else words


_SNOWBALL = dict(pair.split(":") for pair in """ar:arabic hy:armenian eu:basque
    ca:catalan cs:czech da:danish nl:dutch en:english eo:esperanto et:estonian
    fi:finnish fr:french de:german el:greek hi:hindi hu:hungarian id:indonesian
    ga:irish it:italian lt:lithuanian ne:nepali no:norwegian nb:norwegian
    nn:norwegian fa:persian pl:polish pt:portuguese ro:romanian ru:russian
    sr:serbian st:sesotho es:spanish sv:swedish ta:tamil tr:turkish
    yi:yiddish""".split())
STEMMER_LANGUAGES = {code: name for code, name in _SNOWBALL.items()
                     if name in snowballstemmer.algorithms()}


class Stemmer:
    """Reduce words to their Snowball stem; glob words stay as they are.

    Raises ValueError for a language without a stemmer. Only the language
    code is stored; the stemmer and its cache are rebuilt after loading."""

    def __init__(self, language):
        code = language_code(language)
        if code not in STEMMER_LANGUAGES:
            raise ValueError(
                f"no stemmer for language {language!r}; use one of "
                f"{', '.join(sorted(STEMMER_LANGUAGES))}")
        self.language = code

    def __getstate__(self):
        return {"language": self.language}

    def stem(self, word):
        """The stem of one folded *word*."""
        return self.process([word])[0]

    def process(self, words):
        try:
            stem, cache = self._v_stem, self._v_cache
        except AttributeError:
            name = STEMMER_LANGUAGES[self.language]
            stem = self._v_stem = snowballstemmer.stemmer(name).stemWord
            cache = self._v_cache = {}  # {word: stem}
        out = []
        for word in words:
            stemmed = cache.get(word)
            if stemmed is None:
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                stemmed = cache[word] = stem(word)
            out.append(stemmed)
        return out

    def processGlob(self, words):
        # The query parser hands these words back through process(); a
        # stem stemmed twice can change ("agreed" -> "agre" -> "agr").
        return list(words)


def make_lexicon(language=None, stemming=False):
    """A zope.index Lexicon for text in *language* (an ISO code or None);
    raises ValueError when *stemming* is asked for an unknown language."""
    pipeline = [HTMLWordSplitter(), Normalizer()]
    if language:
        pipeline.append(StopWords(language))
        if stemming:
            pipeline.append(Stemmer(language))
    return Lexicon(*pipeline)


class Analyzer:
    """The words of *make_lexicon*'s pipeline, fast, for indexing: one
    split per text, each distinct word folded, filtered and stemmed once
    (a bounded cache of raw word -> key). ``keys(text)`` gives the index
    keys in text order (stop words left out); ``parse_terms(term)``
    splits a query term as the lexicon does, globs kept whole."""

    def __init__(self, language=None, stemming=False):
        code = language_code(language) if language else ""
        self.stop = StopWords(code).words if code else frozenset()
        self.stemmer = Stemmer(code) if code and stemming else None
        self._cache = {}  # {raw word: key, "" for a stop word}
        self._glob = None

    def key(self, word):
        """The index key of one raw *word* ("" when it is a stop word)."""
        folded = fold(word)
        if folded in self.stop:
            return ""
        return self.stemmer.stem(folded) if self.stemmer is not None else folded

    def keys(self, text):
        """Index keys of *text* (plain or HTML) in order."""
        raw = _split(text, WORDS)
        cache = self._cache
        missing = set(raw).difference(cache)
        if missing:
            if len(cache) + len(missing) > CACHE_SIZE:
                cache.clear()
                missing = set(raw)
            key = self.key
            for word in missing:
                cache[word] = key(word)
        return list(filter(None, map(cache.__getitem__, raw)))

    def parse_terms(self, term):
        """Folded words of a query *term*, stop words dropped, unstemmed
        (globs such as ``runn*`` kept); what the query parser reads."""
        words = Normalizer().process(HTMLWordSplitter().processGlob([term]))
        stop = self.stop
        return [w for w in words if w not in stop]

    def is_glob(self, word):
        return "*" in word or "?" in word


def searchable_html_text(html_text):
    """Plain text of *html_text*: tags, script and style dropped, entities
    decoded, whitespace collapsed."""
    return " ".join(_strip_markup(html_text or "").split())


_QUERY_TOKENS = re.compile(r'[()]|-?(?:"[^"]*"|[^()\s"]+)')  # as zope's parser


def query_terms(query):
    """The words of a search *query* to highlight: operators, negated words,
    quotes, parentheses and glob characters left out."""
    terms, negated = [], False
    for token in _QUERY_TOKENS.findall(query or ""):
        operator = token.upper()
        if operator in ("AND", "OR", "(", ")"):
            continue
        if not negated and operator != "NOT" and not token.startswith("-"):
            for word in globs().findall(token.replace("’", "'")):
                terms.append(re.split(r"[*?]", word)[0])
        negated = operator == "NOT"
    return list(dict.fromkeys(terms))


def _key(word, stem):
    return stem(fold(word)) if stem else fold(word)


def _hits(text, start, end, keys, stem):
    """(start, end) of the words in text[start:end] that fold to *keys*."""
    text = text.replace("’", "'")  # same length: offsets stay
    for m in WORDS.finditer(text, start, end):
        a = m.start()
        words = _refine([m.group()])
        if len(words) == 1:
            spans = [(a, m.end())]
        elif _CJK_RUN.match(words[0]):
            spans = [(a + i, a + i + 2) for i in range(len(words))]
        else:  # an elided article and its word
            spans = [(a, a + len(words[0])), (m.end() - len(words[1]), m.end())]
        for (a, b), word in zip(spans, words):
            if _key(word, stem) in keys:
                yield a, b


def snippet(text, terms, width=200, stem=None):
    """An HTML-escaped excerpt of about *width* characters of plain *text*
    around the first of *terms*, each occurrence in ``<mark>``; '…' where
    cut. *stem* (e.g. ``Stemmer('en').stem``) also marks other forms."""
    text = text or ""
    keys = {_key(word, stem) for word in HTMLWordSplitter().process(terms)}
    first = next(_hits(text, 0, SNIPPET_SCAN, keys, stem), None)
    start = 0
    if first and first[1] > width * 3 // 4:
        start = max(0, first[0] - width // 4)
        space = _SPACES.search(text, start, first[0])
        start = space.end() if space else start
    end = min(len(text), start + width)
    if end < len(text):
        cut = max(text.rfind(" ", start + width // 2, end),
                  text.rfind("\n", start + width // 2, end))
        end = cut if cut > 0 else end
    marks = []
    for a, b in _hits(text, start, end, keys, stem):
        if marks and a <= marks[-1][1]:  # overlapping CJK bigrams: one mark
            marks[-1][1] = b
        else:
            marks.append([a, b])
    parts, pos = [], start
    for a, b in marks:
        parts += [html.escape(_SPACES.sub(" ", text[pos:a])),
                  "<mark>", html.escape(text[a:b]), "</mark>"]
        pos = b
    parts.append(html.escape(_SPACES.sub(" ", text[pos:end])))
    return ("…" if start else "") + "".join(parts).strip() + (
        "…" if end < len(text) else "")
