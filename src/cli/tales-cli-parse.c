/* Placeholder until the parser engineer writes the real command (owned by them). */
#include <stdio.h>
#include "tales-cli-parse.h"
int tales_cli_parse (int argc, char **argv) { fprintf (stderr, "not yet\n"); return 1; }
