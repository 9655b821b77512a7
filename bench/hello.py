"""The baseline: a raw WSGI app answering a constant ~2.4 KB HTML page.

No framework, no routing, no templates, no database. Whatever a server
reaches with this app is the ceiling for any app on that server and this
machine; ``bench/run.py`` quotes every Cupola figure as a ratio to it.

    .venv/bin/waitress-serve --threads 4 --port 8080 hello:app   (from bench/)
"""

_ITEMS = "\n".join(
    f'      <li><a href="/bench/doc-{i:04d}">Doc {i:02d}</a> '
    f'<span class="desc">About document {i:02d}</span></li>'
    for i in range(1, 21))

HTML = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Hello - the raw WSGI baseline</title>
    <link rel="stylesheet" href="/static/site.css">
  </head>
  <body>
    <header><h1>Hello</h1><nav><a href="/">Home</a> | <a href="/bench">Bench</a></nav></header>
    <main>
    <p>The baseline page: a raw WSGI callable returning a constant body of
       about two and a half kilobytes, with nothing in the way.</p>
    <ul>
{_ITEMS}
    </ul>
    </main>
    <footer>static footer</footer>
  </body>
</html>
"""

BODY = HTML.encode("utf-8")
HEADERS = [("Content-Type", "text/html; charset=utf-8"),
           ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]


application = app

if __name__ == "__main__":
    print(len(BODY), "bytes")
