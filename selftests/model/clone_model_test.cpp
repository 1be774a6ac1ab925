// SPDX-License-Identifier: GPL-2.0
// Host unit tests of the validation model (model_test): each case pins one
// rule of SPEC §2-4 or one pre-existing kernel check, and the order in which
// two checks meet.
#include <csignal>
#include <gtest/gtest.h>

#include "clone_model.h"
#include "uapi.h"

using model::Caller;
using model::Outcome;
using model::predict;
using model::Request;
using model::Syscall;

namespace {

constexpr std::uint64_t kThread = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
const Caller kRoot{};
const Caller kNobody{.cap_sys_admin = false};
const Caller kAutoreapCaller{.autoreap = true};

Outcome clone3(std::uint64_t flags, int sig = 0, const Caller& caller = kRoot)
{
    return predict(Request{flags, sig, Syscall::Clone3}, caller);
}

Outcome legacy(std::uint64_t flags, int sig = SIGCHLD, const Caller& caller = kRoot)
{
    return predict(Request{flags, sig, Syscall::LegacyClone}, caller);
}

} // namespace

// The three new bits are known to clone3; bits beyond them are not.
TEST(ModelFlags, NewBitsKnownOthersRejected)
{
    EXPECT_EQ(clone3(CLONE_AUTOREAP), Outcome::Accepted) << "CLONE_AUTOREAP alone";
    EXPECT_EQ(clone3(CLONE_NNP, SIGCHLD), Outcome::Accepted) << "CLONE_NNP alone";
    EXPECT_EQ(clone3(1ULL << 38), Outcome::Einval) << "unknown bit 38";
    EXPECT_EQ(clone3(1ULL << 63), Outcome::Einval) << "unknown bit 63";
    EXPECT_EQ(clone3(CLONE_DETACHED, SIGCHLD), Outcome::Einval) << "CLONE_DETACHED via clone3";
    EXPECT_EQ(clone3(0x11, SIGCHLD), Outcome::Einval) << "CSIGNAL bits in clone3 flags";
}

// Existing structural checks fire before any of the new ones.
TEST(ModelFlags, ExistingChecksComeFirst)
{
    EXPECT_EQ(clone3(CLONE_THREAD | CLONE_NNP), Outcome::Einval) << "THREAD without SIGHAND";
    EXPECT_EQ(clone3(CLONE_SIGHAND), Outcome::Einval) << "SIGHAND without VM";
    EXPECT_EQ(clone3(kThread), Outcome::Accepted) << "a plain thread";
    EXPECT_EQ(clone3(kThread | CLONE_NEWUSER), Outcome::Einval) << "thread in new userns";
    EXPECT_EQ(clone3(kThread | CLONE_NEWPID), Outcome::Einval) << "thread in new pidns";
    EXPECT_EQ(clone3(CLONE_NEWNS | CLONE_FS, SIGCHLD), Outcome::Einval) << "NEWNS|FS";
    EXPECT_EQ(clone3(CLONE_NEWUSER | CLONE_FS, SIGCHLD), Outcome::Einval) << "NEWUSER|FS";
    EXPECT_EQ(clone3(CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND, SIGCHLD), Outcome::Einval)
        << "SIGHAND|CLEAR_SIGHAND";
    EXPECT_EQ(clone3(kThread, SIGCHLD), Outcome::Einval) << "THREAD with an exit signal";
    EXPECT_EQ(clone3(CLONE_PARENT, SIGCHLD), Outcome::Einval) << "clone3 PARENT with an exit signal";
    EXPECT_EQ(clone3(0, 65), Outcome::Einval) << "exit_signal 65 is not a signal";
    EXPECT_EQ(clone3(0, 256), Outcome::Einval) << "exit_signal above CSIGNAL";
}

// SPEC §2: CLONE_AUTOREAP's own rejections.
TEST(ModelAutoreap, Rejections)
{
    EXPECT_EQ(clone3(CLONE_AUTOREAP | kThread), Outcome::Einval) << "with CLONE_THREAD";
    EXPECT_EQ(clone3(CLONE_AUTOREAP | CLONE_PARENT), Outcome::Einval) << "with CLONE_PARENT";
    EXPECT_EQ(clone3(CLONE_AUTOREAP, SIGCHLD), Outcome::Einval) << "with exit_signal SIGCHLD";
    EXPECT_EQ(clone3(CLONE_AUTOREAP, SIGUSR1), Outcome::Einval) << "with exit_signal SIGUSR1";
    EXPECT_EQ(clone3(CLONE_AUTOREAP | CLONE_PIDFD | CLONE_VFORK), Outcome::Accepted)
        << "with PIDFD|VFORK";
    EXPECT_EQ(clone3(CLONE_AUTOREAP | CLONE_NEWUSER | CLONE_NEWPID, 0, kNobody), Outcome::Accepted)
        << "unprivileged, in new user+pid namespaces";
}

// SPEC §2: an autoreap process may not make CLONE_PARENT clones, legacy or not.
TEST(ModelAutoreap, AutoreapCallerCannotUseParent)
{
    EXPECT_EQ(clone3(CLONE_PARENT, 0, kAutoreapCaller), Outcome::Einval) << "clone3";
    EXPECT_EQ(legacy(CLONE_PARENT, SIGCHLD, kAutoreapCaller), Outcome::Einval) << "legacy clone";
    EXPECT_EQ(legacy(CLONE_PARENT, SIGCHLD, kRoot), Outcome::Accepted) << "legacy, ordinary caller";
    EXPECT_EQ(clone3(0, SIGCHLD, kAutoreapCaller), Outcome::Accepted) << "plain fork is fine";
    EXPECT_EQ(clone3(kThread, 0, kAutoreapCaller), Outcome::Accepted) << "threads are fine";
    EXPECT_EQ(clone3(CLONE_PARENT, SIGCHLD, kAutoreapCaller), Outcome::Einval)
        << "clone3_args_valid fires first, still EINVAL";
}

// SPEC §3: CLONE_NNP is only refused for threads.
TEST(ModelNnp, Rules)
{
    EXPECT_EQ(clone3(CLONE_NNP | kThread), Outcome::Einval) << "with CLONE_THREAD";
    EXPECT_EQ(clone3(CLONE_NNP | CLONE_PARENT), Outcome::Accepted) << "with CLONE_PARENT";
    EXPECT_EQ(clone3(CLONE_NNP, SIGUSR1, kNobody), Outcome::Accepted) << "unprivileged";
    EXPECT_EQ(clone3(CLONE_NNP | CLONE_VFORK | CLONE_VM, SIGCHLD), Outcome::Accepted)
        << "vfork-style";
}

// SPEC §4: CLONE_PIDFD_AUTOKILL checks, in their order.
TEST(ModelAutokill, OrderOfChecks)
{
    constexpr std::uint64_t kAk = CLONE_PIDFD_AUTOKILL;
    EXPECT_EQ(clone3(kAk | CLONE_AUTOREAP), Outcome::Einval) << "without CLONE_PIDFD";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD), Outcome::Einval) << "without CLONE_AUTOREAP";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD, 0, kNobody), Outcome::Einval)
        << "EINVAL beats EPERM for the unprivileged";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD | CLONE_AUTOREAP), Outcome::Accepted) << "root";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD | CLONE_AUTOREAP, 0, kNobody), Outcome::Eperm)
        << "unprivileged without NNP";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD | CLONE_AUTOREAP | CLONE_NNP, 0, kNobody), Outcome::Accepted)
        << "unprivileged with NNP";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD | CLONE_AUTOREAP, SIGCHLD, kNobody), Outcome::Einval)
        << "autoreap's exit_signal check fires before the capability check";
    EXPECT_EQ(clone3(kAk | CLONE_PIDFD | kThread), Outcome::Einval) << "with CLONE_THREAD";
}

// Namespace permission checks come after every EINVAL of the series.
TEST(ModelPermissions, NamespacesAfterFlagChecks)
{
    EXPECT_EQ(clone3(CLONE_NEWPID, SIGCHLD, kNobody), Outcome::Eperm) << "NEWPID unprivileged";
    EXPECT_EQ(clone3(CLONE_NEWPID | CLONE_NEWUSER, SIGCHLD, kNobody), Outcome::Accepted)
        << "NEWPID inside a new userns";
    EXPECT_EQ(clone3(CLONE_NEWPID | CLONE_AUTOREAP, SIGCHLD, kNobody), Outcome::Einval)
        << "autoreap's EINVAL before the namespace EPERM";
    EXPECT_EQ(clone3(CLONE_NEWUSER, SIGCHLD, kNobody), Outcome::Accepted) << "NEWUSER unprivileged";
    Caller no_sysctl = kNobody;
    no_sysctl.userns_clone_sysctl = false;
    EXPECT_EQ(clone3(CLONE_NEWUSER | kThread, 0, no_sysctl), Outcome::Eperm)
        << "Debian's sysctl check precedes the thread checks";
    EXPECT_EQ(clone3(CLONE_NEWIPC | CLONE_SYSVSEM, SIGCHLD), Outcome::Einval) << "NEWIPC|SYSVSEM";
}

// Legacy clone(2) cannot carry the 64-bit flags: they are truncated away.
TEST(ModelLegacy, HighBitsAreDropped)
{
    EXPECT_EQ(legacy(CLONE_AUTOREAP, SIGCHLD), Outcome::Accepted) << "AUTOREAP bit truncated";
    EXPECT_EQ(legacy(CLONE_PIDFD | CLONE_PARENT_SETTID), Outcome::Einval)
        << "pidfd and parent tid share a pointer";
    EXPECT_EQ(legacy(CLONE_PIDFD | CLONE_DETACHED), Outcome::Einval) << "PIDFD|DETACHED";
    EXPECT_EQ(legacy(CLONE_DETACHED), Outcome::Accepted) << "DETACHED alone is ignored";
    EXPECT_EQ(legacy(CLONE_PARENT, 0, Caller{.global_init = true}), Outcome::Einval)
        << "init may not create siblings";
}
