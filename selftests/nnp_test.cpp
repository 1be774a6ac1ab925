// SPDX-License-Identifier: GPL-2.0
// CLONE_NNP (SPEC §3): no_new_privs is set on the child at creation, kept
// across exec, and stops a setuid exec from raising the euid; the parent is
// untouched.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "helper_modes.h"
#include "proc_state.h"
#include "require_feature.h"

namespace {

// Exit status of a child created with flags that execs path in helper
// mode (after dropping to nobody if asked); nullopt on timeout. The file is
// opened first and executed through its descriptor, so nobody needs no
// search permission on the directories above it.
std::optional<int> exec_helper(std::uint64_t flags, const std::string& path, const char* mode,
                               bool as_nobody)
{
    UniqueFd exe(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (!exe)
        return std::nullopt;
    Child c = spawn(flags | CLONE_PIDFD, SIGCHLD, [&] {
        if (as_nobody && drop_to_nobody() != 0)
            return 99;
        std::string arg = std::string("--helper=") + mode;
        char* argv[] = {const_cast<char*>(path.c_str()), arg.data(), nullptr};
        char* envp[] = {nullptr};
        ::syscall(SYS_execveat, exe.get(), "", argv, envp, AT_EMPTY_PATH);
        return 100 + errno; // EACCES: 113
    });
    if (!c)
        return std::nullopt;
    return wait_child(c.pid, c.pidfd.get());
}

} // namespace

// The child reads PR_GET_NO_NEW_PRIVS 1, the parent still 0.
TEST(NnpChild, SetInChildOnly)
{
    REQUIRE_FEATURE(Nnp);
    ASSERT_EQ(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0) << "test process starts without NNP";
    Child c = spawn(CLONE_NNP | CLONE_PIDFD, SIGCHLD,
                    [] { return ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); });
    ASSERT_TRUE(c) << "clone3 CLONE_NNP: " << strerror(c.error);
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    EXPECT_EQ(*status, 1 << 8) << "child's PR_GET_NO_NEW_PRIVS: " << describe_status(*status);
    EXPECT_EQ(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0) << "parent's PR_GET_NO_NEW_PRIVS";
}

// no_new_privs survives exec; without CLONE_NNP the exec'd child reads 0.
TEST(NnpChild, SurvivesExec)
{
    REQUIRE_FEATURE(Nnp);
    std::string exe = self_exe();
    std::optional<int> with = exec_helper(CLONE_NNP, exe, "nnp-status", false);
    ASSERT_TRUE(with) << "exec'd CLONE_NNP child finished";
    EXPECT_EQ(*with, 1 << 8) << "PR_GET_NO_NEW_PRIVS after exec: " << describe_status(*with);
    std::optional<int> without = exec_helper(0, exe, "nnp-status", false);
    ASSERT_TRUE(without) << "exec'd plain child finished";
    EXPECT_EQ(*without, 0) << "control without CLONE_NNP: " << describe_status(*without);
}

// A setuid-root exec by uid 65534 raises the euid to 0 without CLONE_NNP
// (positive control) and does not with it.
TEST(NnpChild, SetuidExecDoesNotRaiseEuid)
{
    REQUIRE_FEATURE(Nnp);
    std::string path = "/tmp/suid-helper-" + std::to_string(::getpid());
    ASSERT_TRUE(make_setuid_copy(path)) << "copy to " << path << ": " << strerror(errno);
    std::optional<int> plain = exec_helper(0, path, "euid", true);
    std::optional<int> nnp = exec_helper(CLONE_NNP, path, "euid", true);
    ::unlink(path.c_str());
    ASSERT_TRUE(plain && nnp) << "both exec'd children finished";
    ASSERT_EQ(*plain, 0) << "control: setuid exec as nobody without NNP should give euid 0 ("
                         << describe_status(*plain) << "; 99: drop failed, 100+errno: exec failed, "
                         << "113 = EACCES; "
                         << "is /tmp mounted nosuid?)";
    EXPECT_EQ(*nnp, 1 << 8) << "setuid exec with CLONE_NNP must keep euid 65534: "
                            << describe_status(*nnp);
}
