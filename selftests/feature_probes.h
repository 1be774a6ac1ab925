// SPDX-License-Identifier: GPL-2.0
// Feature probes: each runs once, positively (a flag counts as present only
// when the kernel accepted it and the child ran), and is cached.
#pragma once

#include <gtest/gtest.h>

namespace features {

enum class Feature {
    Autoreap,              // clone3 CLONE_AUTOREAP
    Nnp,                   // clone3 CLONE_NNP
    PidfdAutokill,         // clone3 CLONE_PIDFD_AUTOKILL
    PidfdGetInfo,          // ioctl PIDFD_GET_INFO
    PidfdInfoExit,         // PIDFD_INFO_EXIT after the child was reaped
    PidfdInfoSupportedMask,// PIDFD_INFO_SUPPORTED_MASK answered
    PidfdInfoCoredumpCode, // PIDFD_INFO_COREDUMP_CODE in supported_mask
    PidfsFileHandles,      // name_to_handle_at/open_by_handle_at on pidfds
    BpfTracing,            // lifecycle.bpf.c loads and attaches (bpf/)
};

bool has(Feature f);
const char* name(Feature f);

// --require-features: a missing feature fails the test instead of skipping.
void set_required(bool required);
bool required();

} // namespace features

// First statement of every feature test: skip (or fail under
// --require-features) unless the kernel has the feature.
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
