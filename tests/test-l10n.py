#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translations work for real: the compiled catalogs pick the right plural
form, and tales-cli speaks Polish and German, with dates in the locale (TAP).

Usage: test-l10n.py LOCALEDIR SOURCE_ROOT

LOCALEDIR is the build's po/ directory (po/<lang>/LC_MESSAGES/tales.mo);
tales-cli reads it through $TALES_LOCALEDIR instead of the installed one.
"""

import gettext
import http.server
import locale
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tales_tap import Tap  # noqa: E402 (after the line above)

CLI = os.environ.get('TALES_CLI', '')

# One post with a March date: "marca" (Polish genitive) and "März" (German)
# differ from English, so a date left in English cannot pass.
FEED = '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>L10n</title><link>{base}/</link><description>Dates and words</description>
  <item>
    <title>Wiosna</title><link>{base}/wiosna</link><guid>{base}/wiosna</guid>
    <author>ala@example.test (Ala)</author><category>GNOME</category>
    <pubDate>Mon, 18 Mar 2024 12:00:00 +0000</pubDate>
    <description>&lt;p&gt;Text.&lt;/p&gt;</description>
  </item>
</channel></rss>
'''

# Polish has three forms: 1; 2-4, 22-24, ... (not 12-14); everything else.
POLISH_ADDED = {1: 'Dodano 1 kanał.\n', 2: 'Dodano 2 kanały.\n', 4: 'Dodano 4 kanały.\n',
                5: 'Dodano 5 kanałów.\n', 12: 'Dodano 12 kanałów.\n', 22: 'Dodano 22 kanały.\n',
                25: 'Dodano 25 kanałów.\n', 112: 'Dodano 112 kanałów.\n'}
ADDED, ADDED_PLURAL = 'Added %u feed.\n', 'Added %u feeds.\n'
GERMAN_ADDED = {1: '1 Feed hinzugefügt.\n', 2: '2 Feeds hinzugefügt.\n', 5: '5 Feeds hinzugefügt.\n'}


class Handler(http.server.BaseHTTPRequestHandler):
    feed = b''

    def do_GET(self):
        if self.path != '/feed.xml':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(len(self.feed)))
        self.end_headers()
        self.wfile.write(self.feed)

    def log_message(self, *args):
        pass


def linguas(source_root):
    langs = []
    with open(os.path.join(source_root, 'po', 'LINGUAS'), encoding='utf-8') as f:
        for line in f:
            if not line.strip().startswith('#'):
                langs += line.split()
    return langs


def has_locale(name):
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, name)
        return True
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def opml(n, offset=0):
    outlines = ''.join(f'<outline type="rss" text="Feed {i}" xmlUrl="http://127.0.0.1:9/{i}.xml"/>'
                       for i in range(offset, offset + n))
    return ('<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head>'
            f'<body>{outlines}</body></opml>')


def expect(text, *needles):
    return [f'{n!r} not in {text[:300]!r}' for n in needles if n not in text]


def check_catalogs(tap, localedir, langs):
    tap.check('every language in po/LINGUAS is compiled in the build', [
        f'no {lang}/LC_MESSAGES/tales.mo under {localedir}' for lang in langs
        if not os.path.isfile(os.path.join(localedir, lang, 'LC_MESSAGES', 'tales.mo'))])
    try:
        pl = gettext.translation('tales', localedir, languages=['pl'])
        de = gettext.translation('tales', localedir, languages=['de'])
    except OSError as e:
        tap.check('the Polish catalog picks the right plural form', [str(e)])
        tap.check('the German catalog picks the right plural form', [str(e)])
        return
    for name, catalog, forms in (('Polish', pl, POLISH_ADDED), ('German', de, GERMAN_ADDED)):
        got = {n: catalog.ngettext(ADDED, ADDED_PLURAL, n) % n for n in forms}
        tap.check(f'the {name} catalog picks the right plural form',
                  [f'n={n}: {got[n]!r}, want {want!r}' for n, want in forms.items() if got[n] != want])


def check_cli(tap, localedir, home):
    def env(language, lang, name):
        return dict(os.environ, TALES_LOCALEDIR=localedir, LANGUAGE=language, LANG=lang,
                    LC_ALL='', TZ='UTC',
                    XDG_DATA_HOME=os.path.join(home, name, 'data'),
                    XDG_CACHE_HOME=os.path.join(home, name, 'cache'),
                    XDG_CONFIG_HOME=os.path.join(home, name, 'config'))

    def run(e, *args):
        return subprocess.run([CLI, *args], env=e, capture_output=True, encoding='utf-8', timeout=60)

    # LANGUAGE is honoured even in C.UTF-8, so this runs without generated locales.
    for language, want in (('pl', 'tales-cli: „bogus” nie jest poleceniem'),
                           ('de', 'tales-cli: „bogus“ ist kein Befehl')):
        out = run(env(language, 'C.UTF-8', 'cmd'), 'bogus')
        hint = [] if 'is not a command' not in out.stderr else [
            'still English: does tales-cli bind its text domain to $TALES_LOCALEDIR?']
        tap.check(f'LANGUAGE={language}: an unknown command is refused in that language',
                  expect(out.stderr, want) + hint)

    for language, words in (('pl', ('Użycie: tales-cli POLECENIE', 'Polecenia:', 'wypisuje zapisane wpisy')),
                            ('de', ('Aufruf: tales-cli BEFEHL', 'Befehle:', 'gespeicherte Beiträge auflisten'))):
        out = run(env(language, 'C.UTF-8', 'cmd'), '--help')
        tap.check(f'LANGUAGE={language}: tales-cli --help is in that language, the syntax as typed',
                  expect(out.stdout, *words, 'list [--json]'))

    english = run(env('', 'C.UTF-8', 'cmd'), 'bogus')
    tap.check('without LANGUAGE the message stays English',
              expect(english.stderr, '“bogus” is not a command'))

    # Plurals through the real CLI: importing 1, 2 and 5 new feeds.
    for language, forms in (('pl', POLISH_ADDED), ('de', GERMAN_ADDED)):
        problems = []
        for n in (1, 2, 5):
            path = os.path.join(home, f'{language}-{n}.opml')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(opml(n))
            out = run(env(language, 'C.UTF-8', f'opml-{language}-{n}'), 'import-opml', path)
            if out.returncode != 0 or out.stdout != forms[n]:
                problems.append(f'{n} feeds: exit {out.returncode}, {out.stdout!r} {out.stderr!r}, '
                                f'want {forms[n]!r}')
        tap.check(f'LANGUAGE={language}: import-opml reports 1, 2 and 5 feeds with the right plural',
                  problems)

    # Core error messages (GError from the fetcher) and dates in the locale.
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    base = 'http://127.0.0.1:%d' % server.server_address[1]
    Handler.feed = FEED.format(base=base).encode('utf-8')
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        missing = run(env('pl', 'C.UTF-8', 'fetch'), 'fetch', base + '/gone.xml')
        tap.check('LANGUAGE=pl: a fetch error from the core library is Polish',
                  ([] if missing.returncode != 0 else ['fetch of a 404 succeeded'])
                  + expect(missing.stderr, 'Serwer nie ma niczego pod adresem'))
        fetched = run(env('pl', 'C.UTF-8', 'fetch'), 'fetch', base + '/feed.xml')
        tap.check('LANGUAGE=pl: the fetch report is Polish',
                  ([] if fetched.returncode == 0 else [fetched.stderr])
                  + expect(fetched.stdout, 'L10n: nowe wpisy: 1'))
    finally:
        server.shutdown()
        server.server_close()

    listed = run(env('pl', 'C.UTF-8', 'fetch'), 'list')
    ids = re.findall(r'^\s*(\d+)\s', listed.stdout, re.M)
    post = ids[0] if ids else '1'

    shown = run(env('pl', 'C.UTF-8', 'fetch'), 'show', post)
    tap.check('LANGUAGE=pl: show labels the post in Polish',
              expect(shown.stdout, 'Autor: ', 'Opublikowano: ', 'Kategorie: GNOME', 'Odnośnik: '))

    for language, lang, words in (('pl', 'pl_PL.UTF-8', ('18 marca 2024', 'Przeczytaj w Internecie')),
                                  ('de', 'de_DE.UTF-8', ('März 2024', 'Im Web lesen'))):
        name = f'LANG={lang}: the article shows its date and link in that language'
        if not has_locale(lang):
            tap.skip(name, f'the {lang} locale is not generated (locale-gen)')
            continue
        html = run(env(language, lang, 'fetch'), 'show', '--html', post)
        article = html.stdout[html.stdout.find('<article'):]
        tap.check(name, ([] if html.returncode == 0 else [html.stderr]) + expect(article, *words))


def main():
    if len(sys.argv) != 3:
        print('usage: test-l10n.py LOCALEDIR SOURCE_ROOT', file=sys.stderr)
        return 2
    localedir, source_root = sys.argv[1:]
    tap = Tap()
    langs = linguas(source_root)
    if not langs:
        tap.skip('translations', 'po/LINGUAS is empty')
        print(f'1..{tap.number}')
        return 0

    check_catalogs(tap, localedir, langs)
    if CLI and os.access(CLI, os.X_OK):
        with tempfile.TemporaryDirectory(prefix='tales-l10n-') as home:
            check_cli(tap, localedir, home)
    else:
        tap.skip('tales-cli in Polish and German', '$TALES_CLI is not set or not built')

    print(f'1..{tap.number}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
