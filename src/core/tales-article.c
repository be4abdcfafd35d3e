#include "tales-article.h"
