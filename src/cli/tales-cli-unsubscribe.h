/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* tales-cli unsubscribe FEED: the app's "Unsubscribe", from a terminal. */

int tales_cli_unsubscribe (int argc, char **argv);
