#include "tales-store.h"
