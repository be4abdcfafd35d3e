#pragma once

int tales_cli_parse (int argc, char **argv);
