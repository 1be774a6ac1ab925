// SPDX-License-Identifier: GPL-2.0
// REQUIRE_FEATURE: the first statement of every feature test. The probes
// themselves are the library's (lib/feature_probes.h).
#pragma once

#include <gtest/gtest.h>

#include "feature_probes.h"

// Skip (or fail under --require-features) unless the kernel has the feature.
#define REQUIRE_FEATURE(f) REQUIRE_FEATURE_VALUE(::features::Feature::f)
#define REQUIRE_FEATURE_VALUE(value)                                                \
    do {                                                                            \
        const ::features::Feature feature_ = (value);                               \
        if (!::features::has(feature_)) {                                           \
            if (::features::required()) {                                           \
                FAIL() << "kernel lacks " << ::features::name(feature_)             \
                       << " (required by --require-features)";                      \
            } else {                                                                \
                GTEST_SKIP() << "kernel lacks " << ::features::name(feature_);      \
            }                                                                       \
        }                                                                           \
    } while (0)
