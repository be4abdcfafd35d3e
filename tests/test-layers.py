#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps the core's modules in their layers (TAP output).

Each folder under src/core/ is a module; the comment at the top of its main
header says what it may use, and this test holds the code to it, from the
#include lines of every .c and .h: a module includes only headers of the
modules it may use, and none of the libraries it must not know (the parser
no database and no network, the store no network, HTTP no database, and no
module GTK).

Usage: test-layers.py SOURCE_ROOT
"""

import os
import re
import sys

# What each module may include from the others (itself always).
ALLOWED = {
    'base': set(),
    'model': {'base', 'store'},   # TalesPostList reads its pages through the store
    'parse': {'base', 'model'},
    'html': {'base', 'model'},
    'store': {'base', 'model', 'html'},
    'net': {'base'},
    'images': {'base', 'net', 'store'},
    'library': {'base', 'model', 'parse', 'html', 'store', 'net', 'images'},
}

# System headers a module must not include: <prefix> -> modules barred.
GTK = ('gtk/', 'adwaita', 'webkit', 'gdk/')
SQLITE = ('sqlite3',)
SOUP = ('libsoup/',)
FORBIDDEN = {
    'base': GTK + SQLITE + SOUP,
    'model': GTK + SOUP,
    'parse': GTK + SQLITE + SOUP,
    'html': GTK + SQLITE + SOUP,
    'store': GTK + SOUP,
    'net': GTK + SQLITE,
    'images': GTK,
    'library': GTK,
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def module_of_headers(core):
    """Every header of the core, by file name, with the module it is in."""
    owner = {}
    for module in ALLOWED:
        for name in os.listdir(os.path.join(core, module)):
            if name.endswith('.h'):
                owner[name] = module
    return owner


def check_file(path, module, owner):
    """The problems of one file, as sentences."""
    problems = []
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for kind, name in INCLUDE.findall(text):
        if kind == '"':
            if name == 'tales-core.h':
                problems.append(f'includes the whole core (tales-core.h)')
            elif name in owner and owner[name] != module and owner[name] not in ALLOWED[module]:
                problems.append(f'includes {name} of module {owner[name]}')
        elif name.startswith(FORBIDDEN[module]):
            problems.append(f'includes <{name}>')
    return problems


def main():
    root = sys.argv[1]
    core = os.path.join(root, 'src', 'core')
    owner = module_of_headers(core)
    results = []

    folders = sorted(d for d in os.listdir(core) if os.path.isdir(os.path.join(core, d)))
    results.append(('every folder of src/core is a known module',
                    [f'{d} is not in ALLOWED' for d in folders if d not in ALLOWED]))
    for module in sorted(ALLOWED):
        problems = []
        folder = os.path.join(core, module)
        for name in sorted(os.listdir(folder)):
            if name.endswith(('.c', '.h')):
                problems += [f'{module}/{name} {p}'
                             for p in check_file(os.path.join(folder, name), module, owner)]
        results.append((f'module {module} uses only what it may', problems))

    print(f'1..{len(results)}')
    failed = 0
    for number, (name, problems) in enumerate(results, 1):
        if problems:
            failed += 1
            print(f'not ok {number} - {name}')
            for problem in problems:
                print(f'# {problem}')
        else:
            print(f'ok {number} - {name}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
