// SPDX-License-Identifier: GPL-2.0
// Host unit tests of the fuzzer's expectations (fuzz_case.h): the size,
// placement and field checks clone3() makes before the flags, and how the
// environment (a kernel without the series, namespace types it lacks,
// CLONE_EMPTY_MNTNS) changes the model's answer.
#include <cerrno>
#include <csignal>
#include <gtest/gtest.h>

#include "fuzz_case.h"
#include "uapi.h"

namespace {

using stress::expected_errno;
using stress::FuzzCase;
using stress::FuzzEnv;
using stress::Placement;

FuzzCase plain(std::uint64_t flags = 0, std::uint64_t exit_signal = SIGCHLD)
{
    FuzzCase c;
    c.flags = flags;
    c.exit_signal = exit_signal;
    return c;
}

// Too small is EINVAL, too large E2BIG, before anything is read.
TEST(FuzzCase, SizeBounds)
{
    FuzzEnv env;
    FuzzCase c = plain();
    c.size = 63;
    EXPECT_EQ(expected_errno(c, env), EINVAL) << "size below CLONE_ARGS_SIZE_VER0";
    c.size = 4097;
    EXPECT_EQ(expected_errno(c, env), E2BIG) << "size above PAGE_SIZE";
    c.size = 64;
    EXPECT_EQ(expected_errno(c, env), 0) << "VER0 struct";
}

// A tail beyond the kernel's struct must be zero; a struct ending on an
// unmapped page faults.
TEST(FuzzCase, TailAndFault)
{
    FuzzEnv env;
    FuzzCase c = plain();
    c.size = 200;
    EXPECT_EQ(expected_errno(c, env), 0) << "zero tail";
    c.nonzero_tail = 150;
    EXPECT_EQ(expected_errno(c, env), E2BIG) << "non-zero tail";
    c = plain();
    c.placement = Placement::Faulting;
    c.fault_bytes = 1;
    EXPECT_EQ(expected_errno(c, env), EFAULT) << "last byte unmapped";
}

// Fields past a short struct read as zero.
TEST(FuzzCase, TruncatedFields)
{
    FuzzEnv env;
    env.cgroup_fd = 5;
    FuzzCase c = plain(CLONE_INTO_CGROUP);
    EXPECT_EQ(expected_errno(c, env), 0) << "CLONE_INTO_CGROUP with a VER2 struct";
    c.size = 80;
    EXPECT_EQ(expected_errno(c, env), EINVAL) << "CLONE_INTO_CGROUP needs a VER2 struct";
    c = plain();
    c.set_tid_size = 5;
    EXPECT_EQ(expected_errno(c, env), EINVAL) << "set_tid_size without set_tid";
    c.size = 72;
    EXPECT_EQ(expected_errno(c, env), 0) << "set_tid_size lies past a 72-byte struct";
}

TEST(FuzzCase, ExitSignal)
{
    FuzzEnv env;
    EXPECT_EQ(expected_errno(plain(0, 65), env), EINVAL) << "not a valid signal";
    EXPECT_EQ(expected_errno(plain(0, 1ULL << 32), env), EINVAL) << "bits above CSIGNAL";
    EXPECT_EQ(expected_errno(plain(CLONE_AUTOREAP, SIGCHLD), env), EINVAL) << "autoreap with a signal";
    EXPECT_EQ(expected_errno(plain(CLONE_AUTOREAP, 0), env), 0) << "autoreap without";
}

// Without the series the three flags are unknown bits.
TEST(FuzzCase, KernelWithoutSeries)
{
    FuzzEnv env;
    env.series = false;
    EXPECT_EQ(expected_errno(plain(CLONE_NNP), env), EINVAL) << "CLONE_NNP unknown";
    EXPECT_EQ(expected_errno(plain(CLONE_PIDFD), env), 0) << "old flags unaffected";
}

// A namespace type the kernel lacks fails only once permission was granted.
TEST(FuzzCase, UnsupportedNamespace)
{
    FuzzEnv env;
    env.unsupported_ns = CLONE_NEWNET;
    EXPECT_EQ(expected_errno(plain(CLONE_NEWNET), env), EINVAL) << "root";
    env.caller.cap_sys_admin = false;
    EXPECT_EQ(expected_errno(plain(CLONE_NEWNET), env), EPERM) << "nobody: EPERM comes first";
    EXPECT_EQ(expected_errno(plain(CLONE_NEWNET | CLONE_NEWUSER), env), EINVAL) << "nobody in a new userns";
}

// Bit 37 is unknown to the series; on a newer kernel it is CLONE_EMPTY_MNTNS.
TEST(FuzzCase, EmptyMntns)
{
    FuzzEnv env;
    EXPECT_EQ(expected_errno(plain(stress::kCloneEmptyMntns), env), EINVAL) << "series kernel";
    env.empty_mntns = true;
    EXPECT_EQ(expected_errno(plain(stress::kCloneEmptyMntns), env), 0) << "newer kernel";
    EXPECT_EQ(expected_errno(plain(stress::kCloneEmptyMntns | CLONE_FS), env), EINVAL) << "implies CLONE_NEWNS";
    env.caller.cap_sys_admin = false;
    EXPECT_EQ(expected_errno(plain(stress::kCloneEmptyMntns), env), EPERM) << "needs CAP_SYS_ADMIN";
}

// The generator honours exclusions and favours the series' flags.
TEST(FuzzCase, Generator)
{
    FuzzEnv env;
    env.excluded = CLONE_INTO_CGROUP;
    std::mt19937_64 rng(1);
    int autoreap = 0, accepted = 0;
    constexpr int kN = 20000;
    for (int i = 0; i < kN; ++i) {
        FuzzCase c = stress::random_case(rng, env);
        ASSERT_EQ(c.flags & CLONE_INTO_CGROUP, 0u) << "excluded flag generated";
        autoreap += (c.flags & CLONE_AUTOREAP) != 0;
        accepted += expected_errno(c, env) == 0;
    }
    EXPECT_GT(autoreap, kN / 3) << "CLONE_AUTOREAP is weighted up";
    EXPECT_GT(accepted, kN / 50) << "enough accepted cases to exercise children";
}

} // namespace
