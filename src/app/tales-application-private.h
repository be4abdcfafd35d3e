/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What tests may see of the application. Not part of the app's API:
 * every function here starts with _tales_. */

#include "tales-application.h"

G_BEGIN_DECLS

/* The http(s) address behind @uri: http and https as they are,
 * feed://host/path as https://host/path, feed:https://… unwrapped; NULL
 * for anything else. (transfer full) (nullable) */
char *_tales_application_web_address_for_uri (const char *uri);

G_END_DECLS
