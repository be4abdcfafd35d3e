#include "tales-html.h"
