/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tales-core.h"

G_BEGIN_DECLS

#define TALES_TYPE_APPLICATION (tales_application_get_type ())
G_DECLARE_FINAL_TYPE (TalesApplication, tales_application, TALES, APPLICATION, AdwApplication)

TalesApplication *tales_application_new             (void);

/* (transfer none) (nullable): NULL only when the library could not be opened */
TalesStore       *tales_application_get_store       (TalesApplication *self);
TalesFetcher     *tales_application_get_fetcher     (TalesApplication *self);
TalesImageCache  *tales_application_get_image_cache (TalesApplication *self);
/* (nullable): why the library could not be opened */
const GError     *tales_application_get_store_error (TalesApplication *self);

/* Registers the app's GResource (templates, style.css). The generated
 * constructor would be dropped by the linker from the static library, so
 * every class with a template calls this first. */
void tales_application_ensure_resources (void);

G_END_DECLS
