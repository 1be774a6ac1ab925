// SPDX-License-Identifier: GPL-2.0
// Each combination SPEC §2-4 forbids fails with its errno, tried only after
// a positive probe showed the flags exist (an old kernel's EINVAL for an
// unknown bit must not pass these). Attempts run in a throwaway helper.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>

#include "clone_attempt.h"
#include "require_feature.h"
#include "uapi.h"

namespace {

using features::Feature;

constexpr std::uint64_t kThread = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
constexpr std::uint64_t kAutokill = CLONE_PIDFD_AUTOKILL | CLONE_PIDFD | CLONE_AUTOREAP;

struct Rejection {
    const char* name;
    std::uint64_t flags;
    int exit_signal;
    bool as_nobody;
    Feature feature; // the flag whose rule this is
    int error;
};

const Rejection kRejections[] = {
    {"autoreap_with_thread", CLONE_AUTOREAP | kThread, 0, false, Feature::Autoreap, EINVAL},
    {"autoreap_with_parent", CLONE_AUTOREAP | CLONE_PARENT, 0, false, Feature::Autoreap, EINVAL},
    {"autoreap_with_sigchld", CLONE_AUTOREAP, SIGCHLD, false, Feature::Autoreap, EINVAL},
    {"autoreap_with_sigusr1", CLONE_AUTOREAP | CLONE_PIDFD, SIGUSR1, false, Feature::Autoreap, EINVAL},
    {"nnp_with_thread", CLONE_NNP | kThread, 0, false, Feature::Nnp, EINVAL},
    {"autokill_without_pidfd", CLONE_PIDFD_AUTOKILL | CLONE_AUTOREAP, 0, false,
     Feature::PidfdAutokill, EINVAL},
    {"autokill_without_autoreap", CLONE_PIDFD_AUTOKILL | CLONE_PIDFD, 0, false,
     Feature::PidfdAutokill, EINVAL},
    {"autokill_with_thread", CLONE_PIDFD_AUTOKILL | CLONE_PIDFD | kThread, 0, false,
     Feature::PidfdAutokill, EINVAL},
    {"autokill_with_thread_and_autoreap", kAutokill | kThread, 0, false, Feature::PidfdAutokill,
     EINVAL},
    {"autokill_unprivileged_without_nnp", kAutokill, 0, true, Feature::PidfdAutokill, EPERM},
    {"autokill_unprivileged_without_pidfd", CLONE_PIDFD_AUTOKILL | CLONE_AUTOREAP | CLONE_NNP, 0,
     true, Feature::PidfdAutokill, EINVAL},
};

class Rejects : public testing::TestWithParam<Rejection> {};

} // namespace

// The forbidden combination fails with the errno SPEC §2-4 gives it.
TEST_P(Rejects, Errno)
{
    const Rejection& r = GetParam();
    REQUIRE_FEATURE_VALUE(r.feature);
    AttemptResult res = attempt_clone3({.flags = r.flags, .exit_signal = r.exit_signal,
                                        .caller = r.as_nobody ? CallerKind::Nobody : CallerKind::Root,
                                        .check_exit_info = false});
    ASSERT_TRUE(res.ran) << "helper: " << res.problems;
    EXPECT_EQ(res.error, r.error) << "clone3 " << r.name << " failed with "
                                  << (res.error ? strerrorname_np(res.error) : "nothing (accepted)")
                                  << ", expected " << strerrorname_np(r.error);
}

INSTANTIATE_TEST_SUITE_P(Clone3, Rejects, testing::ValuesIn(kRejections),
                         [](const testing::TestParamInfo<Rejection>& p) {
                             return std::string(p.param.name);
                         });
