#include "tales-image-cache.h"
