"""The lexicon pipeline, snippets and query terms of the full-text index."""

import pickle

import pytest
import transaction
from ZODB import DB
from zope.index.text.okapiindex import OkapiIndex
from zope.index.text.textindex import TextIndex

from cupola.catalog.text import (
    HTMLWordSplitter, Normalizer, Stemmer, StopWords, make_lexicon,
    query_terms, searchable_html_text, snippet)


def split(text):
    return HTMLWordSplitter().process([text])


def words_of(lexicon, text):
    return [lexicon.get_word(wid) for wid in lexicon.sourceToWordIds(text)]


def text_index(language=None, stemming=False):
    lexicon = make_lexicon(language, stemming)
    return TextIndex(lexicon=lexicon, index=OkapiIndex(lexicon))


class TestHTMLWordSplitter:
    def test_tags_are_dropped(self):
        assert split("<p class='x'>Hello <em>big</em><br/>world</p>") == [
            "Hello", "big", "world"]

    def test_inline_tags_do_not_split_a_word(self):
        assert split("H<sub>2</sub>O") == ["H2O"]

    def test_entities_are_decoded(self):
        assert split("Caf&eacute; &amp; cr&#232;me") == ["Café", "crème"]

    def test_script_style_and_comments_are_dropped(self):
        html = ("<script>var secret = 1;</script><style>p {color: red}</style>"
                "<!-- hidden -->visible<SCRIPT type='x'>alert(2)</SCRIPT>")
        assert split(html) == ["visible"]

    def test_unclosed_script_drops_the_rest(self):
        assert split("shown <script>never shown") == ["shown"]

    def test_punctuation_and_underscores_split_digits_stay(self):
        assert split("end.Start, a-b x_y 3.14 (42)") == [
            "end", "Start", "a", "b", "x", "y", "3", "14", "42"]

    def test_ascii_text_splits_as_the_ascii_pattern(self):
        import random
        import re
        from cupola.catalog.text import WORDS, _split
        rng = random.Random(7)
        alphabet = "abcXYZ019 _-.,;:!?\t\n()[]{}/\\\"#$%*+=@^`|~"
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            assert _split(text, WORDS) == re.findall("[A-Za-z0-9]+", text), text

    def test_apostrophe_inside_a_word_joins(self):
        assert split("don't rock’n’roll 'quoted'") == [
            "don't", "rock'n'roll", "quoted"]

    def test_elided_article_is_its_own_word(self):
        assert split("l'homme qu’il dell'arte") == [
            "l", "homme", "qu", "il", "dell", "arte"]

    @pytest.mark.parametrize("text, words", [
        ("Größe Übermaß", ["Größe", "Übermaß"]),
        ("élève à Noël", ["élève", "à", "Noël"]),
        ("Москва, ёлка!", ["Москва", "ёлка"]),
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
        ("Cafe\u0301 noir", ["Cafe\u0301", "noir"]),
    ])
    def test_unicode_words(self, text, words):
        assert split(text) == words

    def test_cjk_runs_become_bigrams(self):
        assert split("東京都に行く") == ["東京", "京都", "都に", "に行", "行く"]

    def test_single_cjk_character_stays(self):
        assert split("A 猫 B") == ["A", "猫", "B"]

    def test_glob_keeps_stars_and_question_marks(self):
        assert HTMLWordSplitter().processGlob(["foo* ba?r l'hom*"]) == [
            "foo*", "ba?r", "l", "hom*"]


class TestNormalizer:
    @pytest.mark.parametrize("word, folded", [
        ("Über", "uber"), ("ÉCOLE", "ecole"), ("Straße", "strasse"),
        ("ﬁne", "fine"), ("Ｈｅｌｌｏ", "hello"), ("Việt", "viet"),
        ("Cafe\u0301", "cafe"), ("Øre", "ore"), ("ёлка", "ёлка"),
        ("Йогурт", "йогурт"),
    ])
    def test_folds_case_width_and_accents(self, word, folded):
        assert Normalizer().process([word]) == [folded]


class TestStopWords:
    def test_english_stop_words_are_dropped(self):
        assert StopWords("en").process(["the", "cat", "and", "hat"]) == ["cat", "hat"]

    def test_language_tags_are_reduced_to_their_code(self):
        assert StopWords("de-DE").process(["der", "hund"]) == ["hund"]

    def test_stop_words_are_folded(self):
        assert StopWords("de").process(["fur", "uber", "katze"]) == ["katze"]

    @pytest.mark.parametrize("language", ["en", "de", "fr", "es", "nl", "it"])
    def test_each_language_has_a_list(self, language):
        assert 30 <= len(StopWords(language).words) <= 120

    def test_unknown_language_keeps_every_word(self):
        assert StopWords("xx").process(["the", "a"]) == ["the", "a"]


class TestStemmer:
    def test_english_forms_share_a_stem(self):
        assert Stemmer("en").process(["running", "runs", "run"]) == ["run"] * 3

    def test_glob_words_are_not_stemmed(self):
        assert Stemmer("en").processGlob(["running*", "runs"]) == ["running*", "runs"]

    def test_unknown_language_names_the_supported_codes(self):
        with pytest.raises(ValueError, match="xx.*'?en.*fr"):
            Stemmer("xx")

    def test_stores_only_the_language(self):
        stemmer = Stemmer("en")
        stemmer.process(["running"])
        assert stemmer.__getstate__() == {"language": "en"}


class TestMakeLexicon:
    def test_without_language_splits_and_folds(self):
        assert words_of(make_lexicon(), "<p>The Über runner</p>") == [
            "the", "uber", "runner"]

    def test_language_drops_stop_words(self):
        assert words_of(make_lexicon("en"), "the running dogs") == ["running", "dogs"]

    def test_stemming(self):
        assert words_of(make_lexicon("en", True), "the running dogs") == ["run", "dog"]

    def test_stemming_an_unknown_language_raises(self):
        with pytest.raises(ValueError):
            make_lexicon("xx", stemming=True)

    def test_glob_query_terms_are_normalized_not_stemmed(self):
        assert make_lexicon("en", True).parseTerms("Runnin*") == ["runnin*"]

    def test_pickle_round_trip_still_stems(self):
        lexicon = make_lexicon("en", True)
        words_of(lexicon, "warm the stemmer cache")
        copy = pickle.loads(pickle.dumps(lexicon))
        assert words_of(copy, "running") == ["run"]

    def test_stored_in_zodb_still_stems(self):
        db = DB(None)
        writer = db.open(transaction.TransactionManager())
        writer.root()["lexicon"] = make_lexicon("de", True)
        words_of(writer.root()["lexicon"], "Häuser")
        writer.transaction_manager.commit()
        reader = db.open(transaction.TransactionManager())  # loads a copy
        try:
            assert words_of(reader.root()["lexicon"], "Häuser") == ["haus"]
        finally:
            reader.transaction_manager.abort()
            db.close()


class TestOkapiIndex:
    def make_one(self):
        index = text_index("en", stemming=True)
        index.index_doc(1, "<p>Cooking pasta at home.</p>")
        index.index_doc(2, "<h1>Running</h1><p>Runners run; running is fun.</p>")
        index.index_doc(3, "<p>A walk in the park, then a short run.</p>")
        return index

    def test_best_match_ranks_first(self):
        results = self.make_one().apply("running")
        assert sorted(results, key=results.get, reverse=True) == [2, 3]

    def test_accents_and_case_do_not_matter(self):
        index = text_index()
        index.index_doc(1, "Über Straße")
        assert list(index.apply("uber strasse")) == [1]

    def test_glob_query(self):
        assert list(self.make_one().apply("pas*")) == [1]

    def test_phrase_query(self):
        assert list(self.make_one().apply('"short run"')) == [3]

    def test_cjk_query_finds_a_phrase_of_bigrams(self):
        index = text_index()
        index.index_doc(1, "東京都庁")
        index.index_doc(2, "京都の寺")
        assert list(index.apply("東京都")) == [1]


class TestSearchableHtmlText:
    def test_plain_text_of_html(self):
        html = "<h1>Title</h1>\n<p>A &amp; B</p><script>x()</script><p>end</p>"
        assert searchable_html_text(html) == "Title A & B end"

    def test_none_is_empty(self):
        assert searchable_html_text(None) == ""


class TestSnippet:
    def test_marks_every_occurrence(self):
        assert snippet("Cats and cats.", ["cat", "cats"]) == (
            "<mark>Cats</mark> and <mark>cats</mark>.")

    def test_folds_accents(self):
        assert snippet("Ein Überblick", ["uberblick"]) == "Ein <mark>Überblick</mark>"

    def test_stem_marks_other_forms(self):
        assert snippet("She was running.", ["run"], stem=Stemmer("en").stem) == (
            "She was <mark>running</mark>.")

    def test_escapes_text(self):
        assert snippet("<script>alert('run')</script>", ["alert"]) == (
            "&lt;script&gt;<mark>alert</mark>(&#x27;run&#x27;)&lt;/script&gt;")

    def test_escapes_marked_words(self):
        assert "<b>" not in snippet("x <b>bold</b>", ["b"])

    def test_cuts_around_the_first_hit(self):
        text = "lead " * 100 + "needle in the haystack " + "tail " * 100
        result = snippet(text, ["needle"], width=80)
        assert (result.startswith("…"), result.endswith("…")) == (True, True)
        assert "<mark>needle</mark> in the haystack" in result
        assert len(result) < 120

    def test_without_hit_shows_the_start(self):
        assert snippet("one two three four", ["zebra"], width=9) == "one two…"

    def test_cjk_bigrams_make_one_mark(self):
        assert snippet("東京都庁へ", ["東京都"]) == "<mark>東京都</mark>庁へ"

    def test_empty_text(self):
        assert snippet("", ["x"]) == ""


class TestQueryTerms:
    @pytest.mark.parametrize("query, terms", [
        ('"hello world" AND foo*', ["hello", "world", "foo"]),
        ("cats or dogs NOT birds", ["cats", "dogs"]),
        ("(a OR b) -c", ["a", "b"]),
        ("l'homme ba?r", ["l'homme", "ba"]),
        ("東京都 tokyo tokyo", ["東京都", "tokyo"]),
        ("", []),
    ])
    def test_terms(self, query, terms):
        assert query_terms(query) == terms
