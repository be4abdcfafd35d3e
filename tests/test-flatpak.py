#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the Flatpak manifest offline (TAP).

No GNOME runtime can be downloaded here, so nothing is built: the manifest is
checked by our own rules, by `flatpak-builder --show-manifest` (syntax and
types) and by `flatpak-builder --download-only --allow-missing-runtimes`
(every source can be had).

Usage: test-flatpak.py SOURCE_ROOT
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tales_tap import Tap  # noqa: E402 (after the line above)

APP_ID = 'io.github.talesreader.Tales'
# What Tales needs and nothing more: feeds and images over the network,
# a display (Wayland, X11 as a fallback, with shared memory for X11), and the
# GPU for the article view.
ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}
REQUIRED_KEYS = {
    'id': str, 'runtime': str, 'runtime-version': str, 'sdk': str,
    'command': str, 'modules': list,
}
BUILDSYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'simple', 'qmake'}
SHA256 = re.compile(r'^[0-9a-f]{64}$')


def check_top_level(manifest):
    problems = []
    for key, kind in REQUIRED_KEYS.items():
        if key not in manifest:
            problems.append(f'missing key {key!r}')
        elif not isinstance(manifest[key], kind):
            problems.append(f'{key!r} is not a {kind.__name__}')
    expected = {'id': APP_ID, 'runtime': 'org.gnome.Platform', 'sdk': 'org.gnome.Sdk',
                'command': 'tales'}
    for key, value in expected.items():
        if key in manifest and manifest[key] != value:
            problems.append(f'{key!r} is {manifest[key]!r}, expected {value!r}')
    if 'app-id' in manifest:
        problems.append("use 'id', not the old 'app-id'")
    if not manifest.get('modules'):
        problems.append('no modules')
    return problems


def check_finish_args(manifest):
    args = manifest.get('finish-args', [])
    problems = [f'not allowed: {a}' for a in args if a not in ALLOWED_FINISH_ARGS]
    problems += [f'missing: {a}' for a in sorted(ALLOWED_FINISH_ARGS - set(args))]
    problems += [f'listed twice: {a}' for a in sorted(set(args)) if args.count(a) > 1]
    return problems


def check_source(source, base, where):
    if not isinstance(source, dict):
        # A string names a JSON file of sources beside the manifest.
        path = os.path.join(base, str(source))
        return [] if os.path.isfile(path) else [f'{where}: sources file {source!r} not found']
    kind = source.get('type')
    problems = []
    if kind is None:
        problems.append(f'{where}: a source without a type')
    paths = [source['path']] if 'path' in source else []
    paths += source.get('paths', [])
    for path in paths:
        full = os.path.normpath(os.path.join(base, path))
        exists = os.path.isdir(full) if kind == 'dir' else os.path.exists(full)
        if not exists:
            problems.append(f'{where}: {kind} source {path!r} not found at {full}')
    if 'url' in source or 'mirror-urls' in source:
        if kind in ('archive', 'file', 'extra-data'):
            if not SHA256.match(str(source.get('sha256', ''))):
                problems.append(f'{where}: {kind} source {source.get("url")!r} has no sha256')
        elif kind == 'git' and not source.get('commit') and not source.get('tag'):
            problems.append(f'{where}: git source {source.get("url")!r} is not pinned to a commit')
    return problems


def check_modules(modules, base, trail=''):
    problems = []
    for i, module in enumerate(modules):
        if isinstance(module, str):
            # A module kept in a file of its own, relative to the manifest.
            path = os.path.join(base, module)
            if not os.path.isfile(path):
                problems.append(f'module file {module!r} not found')
                continue
            with open(path, encoding='utf-8') as f:
                module = json.load(f)
            module_base = os.path.dirname(path)
        else:
            module_base = base
        name = module.get('name')
        where = f'{trail}{name or f"module #{i}"}'
        if not name:
            problems.append(f'{where}: no name')
        buildsystem = module.get('buildsystem')
        if buildsystem is None:
            problems.append(f'{where}: no buildsystem')
        elif buildsystem not in BUILDSYSTEMS:
            problems.append(f'{where}: unknown buildsystem {buildsystem!r}')
        elif buildsystem == 'simple' and not module.get('build-commands'):
            problems.append(f'{where}: buildsystem simple without build-commands')
        sources = module.get('sources')
        if not sources:
            problems.append(f'{where}: no sources')
        for source in sources or []:
            problems += check_source(source, module_base, where)
        problems += check_modules(module.get('modules', []), module_base, where + '/')
    return problems


def check_app_module(manifest, base):
    """The last module builds Tales itself from this checkout."""
    modules = manifest.get('modules') or [{}]
    last = modules[-1] if isinstance(modules[-1], dict) else {}
    problems = []
    if last.get('name') != 'tales' or last.get('buildsystem') != 'meson':
        problems.append('the last module is not tales built with meson')
    dirs = [s for s in last.get('sources', []) if isinstance(s, dict) and s.get('type') == 'dir']
    if not dirs:
        problems.append('tales is not built from a local dir source')
    for source in dirs:
        meson_build = os.path.join(base, source.get('path', ''), 'meson.build')
        try:
            with open(meson_build, encoding='utf-8') as f:
                if "project('tales'" not in f.read():
                    problems.append(f'{meson_build} is not the Tales project')
        except OSError:
            problems.append(f'no meson.build at {meson_build}')
    return problems


def all_problems(manifest, base):
    return (check_top_level(manifest) + check_finish_args(manifest)
            + check_modules(manifest.get('modules', []), base)
            + check_app_module(manifest, base))


def check_the_checker(manifest, base):
    """Each rule must reject a manifest that breaks it, or it checks nothing."""
    def broken(change):
        m = copy.deepcopy(manifest)
        change(m)
        return m
    archive = {'type': 'archive', 'url': 'https://example.org/x-1.0.tar.xz'}
    cases = {
        'an extra permission': lambda m: m['finish-args'].append('--filesystem=home'),
        'a missing permission': lambda m: m['finish-args'].remove('--device=dri'),
        'no command': lambda m: m.pop('command'),
        'a module without buildsystem': lambda m: m['modules'][-1].pop('buildsystem'),
        'a missing local dir': lambda m: m['modules'][-1]['sources'].append(
            {'type': 'dir', 'path': 'no-such-dir'}),
        'an archive without sha256': lambda m: m['modules'].insert(0, {
            'name': 'x', 'buildsystem': 'meson', 'sources': [archive]}),
    }
    return [f'the checker accepts {what}' for what, change in cases.items()
            if not all_problems(broken(change), base)]


def run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def flatpak_builder_checks(tap, path):
    name_show = 'flatpak-builder --show-manifest accepts the manifest'
    name_dl = 'flatpak-builder --download-only finds every source'
    builder = shutil.which('flatpak-builder')
    if not builder:
        tap.skip(name_show, 'flatpak-builder is not installed')
        tap.skip(name_dl, 'flatpak-builder is not installed')
        return
    with tempfile.TemporaryDirectory(prefix='tales-flatpak-') as tmp:
        # Keep flatpak-builder's state and any user installation out of $HOME.
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, 'data'),
                   XDG_CACHE_HOME=os.path.join(tmp, 'cache'))
        shown = run([builder, '--show-manifest', path], tmp, env)
        problems = [] if shown.returncode == 0 else [f'exit {shown.returncode}']
        problems += [line for line in shown.stderr.splitlines() if 'Unknown property' in line]
        if shown.returncode == 0:
            try:
                if json.loads(shown.stdout).get('id') != APP_ID:
                    problems.append('the normalised manifest has another id')
            except ValueError as e:
                problems.append(f'--show-manifest printed no JSON: {e}')
        tap.check(name_show, problems + shown.stderr.splitlines()[-5:] * bool(problems))

        dl = run([builder, '--download-only', '--allow-missing-runtimes', '--force-clean',
                  '--state-dir=' + os.path.join(tmp, 'state'), os.path.join(tmp, 'fb'), path],
                 tmp, env)
        tap.check(name_dl, [] if dl.returncode == 0
                  else [f'exit {dl.returncode}'] + dl.stderr.splitlines()[-10:])


def main():
    if len(sys.argv) != 2:
        print('usage: test-flatpak.py SOURCE_ROOT', file=sys.stderr)
        return 2
    path = os.path.abspath(os.path.join(sys.argv[1], 'flatpak', APP_ID + '.json'))
    base = os.path.dirname(path)
    tap = Tap()

    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
        tap.check('the manifest is valid JSON', [])
    except (OSError, ValueError) as e:
        tap.check('the manifest is valid JSON', [str(e)])
        print(f'1..{tap.number}')
        return 1

    tap.check('the required keys are there, for the GNOME runtime', check_top_level(manifest))
    tap.check('finish-args are exactly what Tales needs', check_finish_args(manifest))
    tap.check('every module has a name, a buildsystem and sources that exist or are pinned',
              check_modules(manifest.get('modules', []), base))
    tap.check('Tales is built from this checkout', check_app_module(manifest, base))
    tap.check('the checks above reject broken manifests', check_the_checker(manifest, base))
    flatpak_builder_checks(tap, path)

    print(f'1..{tap.number}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
