#include "tales-parser.h"
