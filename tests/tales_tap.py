# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP output for the Python test scripts: one numbered line per check,
the problems of a failed check as comments under it."""


class Tap:
    def __init__(self):
        self.number = 0
        self.failed = 0

    def check(self, name, problems):
        """Prints ok or not ok for @name; each problem in @problems (up to
        ten lines of it, as a line break would end a TAP comment) below."""
        self.number += 1
        if problems:
            self.failed += 1
            print(f'not ok {self.number} - {name}')
            for p in problems:
                for line in str(p).splitlines()[:10]:
                    print(f'# {line}')
        else:
            print(f'ok {self.number} - {name}')

    def skip(self, name, why):
        self.number += 1
        print(f'ok {self.number} - {name} # SKIP {why}')
