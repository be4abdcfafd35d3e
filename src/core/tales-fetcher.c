#include "tales-fetcher.h"
