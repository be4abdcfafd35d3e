#include "tales-core.h"
int main (void) { tales_core_init (); return 0; }
