/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* tales-cli prune [--days N]: the app's retention, from a terminal. */

int tales_cli_prune (int argc, char **argv);
