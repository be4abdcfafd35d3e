#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` into a DESTDIR installs everything a desktop needs (TAP).

Usage: test-install.py MESON BUILD_DIR SOURCE_ROOT

Runs `meson install --no-rebuild`: `meson test` has already built the tree,
and a nested rebuild would fight the running ninja.
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tales_tap import Tap  # noqa: E402 (after the line above)

APP_ID = 'io.github.talesreader.Tales'


def build_options(meson, build):
    out = subprocess.run([meson, 'introspect', '--buildoptions', build],
                         check=True, capture_output=True, text=True).stdout
    return {o['name']: o['value'] for o in json.loads(out)}


def linguas(source_root):
    langs = []
    with open(os.path.join(source_root, 'po', 'LINGUAS'), encoding='utf-8') as f:
        for line in f:
            if not line.strip().startswith('#'):
                langs += line.split()
    return langs


def missing(paths):
    return [f'not installed: {p}' for p in paths if not os.path.isfile(p)]


def not_executable(paths):
    return [f'not executable: {p}' for p in paths
            if os.path.isfile(p) and not os.access(p, os.X_OK)]


# tests/probe/tales-probe, tests and benchmarks stay in the build tree; the
# strings are what the bench and screenshot probes said or read when they
# were compiled into the app.
PROBE_NAMES = re.compile(r'probe|^test-|^bench-')
PROBE_STRINGS = (b'TALES_BENCH', b'TALES_SCREENSHOT', b'bench-done', b'first-rows-ms')


def probes_installed(destdir):
    return [f'installed: {os.path.join(d, f)}' for d, _, files in os.walk(destdir)
            for f in files if PROBE_NAMES.search(f)]


def probe_strings(binaries):
    problems = []
    for path in binaries:
        if os.path.isfile(path):
            with open(path, 'rb') as f:
                data = f.read()
            problems += [f'{path} contains {s.decode()}' for s in PROBE_STRINGS if s in data]
    return problems


def check_desktop(tap, desktop, bindir, icon_dirs):
    if not os.path.isfile(desktop):
        tap.check('the desktop file launches an installed binary', ['no desktop file'])
        tap.check('the desktop file names an installed icon', ['no desktop file'])
        return
    entry = configparser.ConfigParser(interpolation=None, strict=False)
    entry.optionxform = str
    entry.read(desktop, encoding='utf-8')
    main = entry['Desktop Entry']
    exe = main.get('Exec', '').split()[0] if main.get('Exec') else ''
    tap.check('the desktop file launches an installed binary',
              [] if os.path.isfile(os.path.join(bindir, exe))
              else [f'Exec={main.get("Exec")} but {exe!r} is not in {bindir}'])
    icon = main.get('Icon', '')
    tap.check('the desktop file names an installed icon',
              [] if any(os.path.isfile(os.path.join(d, icon + '.svg')) for d in icon_dirs)
              else [f'Icon={icon} has no {icon}.svg in the hicolor theme'])


def check_metainfo(tap, metainfo, bindir):
    if not os.path.isfile(metainfo):
        tap.check('the metainfo names the app, its desktop file and installed binaries',
                  ['no metainfo'])
        return
    root = ET.parse(metainfo).getroot()
    problems = []
    if root.findtext('id') != APP_ID:
        problems.append(f'<id> is {root.findtext("id")!r}')
    launchable = root.findtext('launchable')
    if launchable != APP_ID + '.desktop':
        problems.append(f'<launchable> is {launchable!r}')
    for binary in root.iter('binary'):
        if not os.path.isfile(os.path.join(bindir, binary.text)):
            problems.append(f'<binary>{binary.text}</binary> is not installed')
    tap.check('the metainfo names the app, its desktop file and installed binaries',
              problems)


def check_schema(tap, schemadir, install_log):
    # meson skips the post-install hook under DESTDIR and says so; the line
    # proves that a live `meson install` would compile the schemas.
    hook = re.search(r'Skipping custom install script .*glib-compile-schemas', install_log)
    tap.check('meson install registers glib-compile-schemas as a post-install step',
              [] if hook else ['no glib-compile-schemas post-install script in the install log'])

    # Do what the hook would, then read a key back through GSettings.
    compiled = subprocess.run(['glib-compile-schemas', '--strict', schemadir],
                              capture_output=True, text=True)
    problems = [] if compiled.returncode == 0 else [compiled.stderr.strip()]
    if not problems:
        keys = subprocess.run(['gsettings', '--schemadir', schemadir, 'list-keys', APP_ID],
                              capture_output=True, text=True)
        if keys.returncode != 0 or 'refresh-interval' not in keys.stdout.split():
            problems.append(f'gsettings cannot read the installed schema: {keys.stderr.strip()}')
    tap.check('the installed schema compiles and GSettings reads it', problems)


def main():
    if len(sys.argv) != 4:
        print('usage: test-install.py MESON BUILD_DIR SOURCE_ROOT', file=sys.stderr)
        return 2
    meson, build, source_root = sys.argv[1:]
    tap = Tap()
    opts = build_options(meson, build)

    with tempfile.TemporaryDirectory(prefix='tales-install-') as destdir:
        run = subprocess.run([meson, 'install', '-C', build, '--no-rebuild',
                              '--destdir', destdir],
                             capture_output=True, text=True)
        tap.check('meson install --destdir succeeds',
                  [] if run.returncode == 0
                  else [f'exit {run.returncode}'] + run.stdout.splitlines()[-20:]
                  + run.stderr.splitlines()[-20:])
        if run.returncode != 0:
            print(f'1..{tap.number}')
            return 1

        def under(option, *parts):
            return os.path.join(destdir + os.path.join(opts['prefix'], opts[option]), *parts)

        app = opts.get('app', True)
        bindir = under('bindir')
        binaries = [os.path.join(bindir, 'tales-cli')]
        if app:
            binaries.append(os.path.join(bindir, 'tales'))
        tap.check('the binaries are installed and executable',
                  missing(binaries) + not_executable(binaries))
        tap.check('no probe or test program is installed, and the app carries no probe',
                  probes_installed(destdir) + probe_strings(binaries))

        schemadir = under('datadir', 'glib-2.0', 'schemas')
        tap.check('the schema is installed',
                  missing([os.path.join(schemadir, APP_ID + '.gschema.xml')]))

        desktop = under('datadir', 'applications', APP_ID + '.desktop')
        metainfo = under('datadir', 'metainfo', APP_ID + '.metainfo.xml')
        icons = under('datadir', 'icons', 'hicolor')
        icon_dirs = [os.path.join(icons, 'scalable', 'apps'),
                     os.path.join(icons, 'symbolic', 'apps')]
        app_data = [desktop, metainfo,
                    os.path.join(icon_dirs[0], APP_ID + '.svg'),
                    os.path.join(icon_dirs[1], APP_ID + '-symbolic.svg')]
        if app:
            tap.check('the desktop file, metainfo and icons are installed', missing(app_data))
            check_desktop(tap, desktop, bindir, icon_dirs)
            check_metainfo(tap, metainfo, bindir)
        else:
            # No launcher pointing at a binary that was not built.
            tap.check('a build without the app installs no desktop file, metainfo or icons',
                      [f'installed without the app: {p}' for p in app_data
                       if os.path.exists(p)])

        if shutil.which('glib-compile-schemas') and shutil.which('gsettings'):
            check_schema(tap, schemadir, run.stdout)
        else:
            for name in ('meson install registers glib-compile-schemas as a post-install step',
                         'the installed schema compiles and GSettings reads it'):
                tap.skip(name, 'glib-compile-schemas or gsettings is not installed')

        langs = linguas(source_root)
        if langs:
            tap.check('a translation is installed for every language in po/LINGUAS', missing(
                [under('localedir', lang, 'LC_MESSAGES', 'tales.mo') for lang in langs]))
        else:
            tap.skip('a translation is installed for every language in po/LINGUAS',
                     'po/LINGUAS is empty')

    print(f'1..{tap.number}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
