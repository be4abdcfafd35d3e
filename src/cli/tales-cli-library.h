/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The tales-cli commands that work on the person's library (the store in
 * $XDG_DATA_HOME/tales and the image cache in $XDG_CACHE_HOME/tales). Each
 * takes its own argv (argv[0] is the command name) and returns the exit
 * status. */

int tales_cli_fetch (int argc, char **argv);
int tales_cli_list  (int argc, char **argv);
int tales_cli_show  (int argc, char **argv);
