"""Realistic-looking text from a fixed word list (no downloads, reproducible)."""

WORDS = """
about access account action active address admin agenda answer archive
article audience author balance basic before benefit better board branch
budget build business cable campus caption career center change chapter
choice city client closing colour common community company content context
council country course create culture current customer data database date
deadline default design detail develop digital direction document domain
draft early editor education effect energy engine entry event evening
example export feature field figure final folder follow format forward
garden general global group growth guide health history holiday horizon
image impact import index industry inside install issue journal keyword
language layout leader learning library license light limit listing local
market master measure media meeting member memory method minute model
module morning museum network news notice number object office online
option order owner package page partner people period picture planning
policy portal position practice press primary private process product
profile program project public publish quality question reader record
region release report request research resource result review river
schedule school science search season section security service session
setting share signal simple site source space speaker staff standard
station status story student summary support system table team template
theme title today topic training travel update upload user value version
video village visitor volume website weekly window winter workflow world
writer year
""".split()


def sentence(rng, lo=6, hi=16):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def title(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).title()


def paragraph(rng, sentences=(3, 6)):
    return " ".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def body_html(rng):
    """About 2 KB of editor-like HTML: paragraphs, a heading, a list."""
    parts = [f"<p>{paragraph(rng)}</p>", f"<p>{paragraph(rng)}</p>",
             f"<h2>{title(rng)}</h2>", f"<p>{paragraph(rng)}</p>",
             "<ul>" + "".join(f"<li>{sentence(rng, 3, 8)}</li>"
                              for _ in range(4)) + "</ul>",
             f"<p>{paragraph(rng)} <a href=\"https://example.org/\">"
             f"{rng.choice(WORDS)}</a> <strong>{rng.choice(WORDS)}</strong>.</p>"]
    return "\n".join(parts)
