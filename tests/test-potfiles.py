#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps po/POTFILES.in honest (TAP output).

Every .c, .h or .ui file under src/ that marks a string for translation must
be listed, or its strings never reach the translators; every listed file must
exist, or xgettext fails when the template is regenerated.

Usage: test-potfiles.py SOURCE_ROOT
"""

import os
import re
import sys

# _("…"), N_("…"), C_("ctx", "…"), NC_, Q_ and the ngettext family, with or
# without the GNU-style space before the parenthesis; translatable in .ui XML.
MARKED = re.compile(
    r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_)\s*\(\s*"'
    r'|(?<![A-Za-z0-9_])(?:g_d?n|d?n)gettext\s*\('
    r'|translatable\s*=\s*"(?:yes|true)"'
)
EXTENSIONS = ('.c', '.h', '.ui')


def listed_files(potfiles):
    with open(potfiles, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                yield line


def marked_files(root):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, 'src')):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(EXTENSIONS):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                if MARKED.search(f.read()):
                    yield os.path.relpath(path, root)


def report(number, name, problems, what):
    if problems:
        print(f'not ok {number} - {name}')
        for p in problems:
            print(f'# {what}: {p}')
        return False
    print(f'ok {number} - {name}')
    return True


def main():
    if len(sys.argv) != 2:
        print('usage: test-potfiles.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = sys.argv[1]
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    listed = list(listed_files(potfiles))
    marked = list(marked_files(root))

    print('1..4')
    results = [
        report(1, 'every source file with translatable strings is in po/POTFILES.in',
               [m for m in marked if m not in listed],
               'missing from po/POTFILES.in'),
        report(2, 'every file in po/POTFILES.in exists',
               [p for p in listed if not os.path.isfile(os.path.join(root, p))],
               'listed but not found'),
        report(3, 'no file is listed twice',
               sorted({p for p in listed if listed.count(p) > 1}),
               'listed more than once'),
        # The scan itself must find something, or a broken pattern would pass.
        report(4, 'the scan finds translatable strings under src/',
               [] if marked else ['src/'], 'nothing marked for translation in'),
    ]
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
