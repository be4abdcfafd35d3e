#include "tales-refresh.h"
