#include "tales-date.h"
