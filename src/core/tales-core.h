/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The whole core in one include, for the app, the CLI and the tests. */
#include "tales-article.h"
#include "tales-date.h"
#include "tales-discover.h"
#include "tales-feed.h"
#include "tales-fetcher.h"
#include "tales-html.h"
#include "tales-image-budget.h"
#include "tales-image-cache.h"
#include "tales-library-cleanup.h"
#include "tales-library-retention.h"
#include "tales-library-writes.h"
#include "tales-opml.h"
#include "tales-parser.h"
#include "tales-paths.h"
#include "tales-post.h"
#include "tales-feed-refresh.h"
#include "tales-library-refresher.h"
#include "tales-resources.h"
#include "tales-scheduler.h"
#include "tales-store.h"

G_BEGIN_DECLS

/* The built-in "Welcome to Tales" feed, shipped as a resource. */
#define TALES_WELCOME_FEED_URL "resource:///io/github/talesreader/Tales/welcome/welcome.xml"
/* The feed Tales subscribes to by default when it has network. */
#define TALES_DEFAULT_FEED_URL "https://tltales.com/rss.xml"

G_END_DECLS
