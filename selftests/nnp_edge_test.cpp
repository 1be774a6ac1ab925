// SPDX-License-Identifier: GPL-2.0
// CLONE_NNP edge cases (SPEC §3): no_new_privs reaches the child's own
// children, and it is what lets an unprivileged child install a seccomp
// filter.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "child.h"
#include "require_feature.h"

namespace {

// Install an allow-all seccomp filter: 0 when installed (PR_GET_SECCOMP
// then reads SECCOMP_MODE_FILTER), 99 when not visible, else 100 + errno.
int install_allow_all_filter()
{
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {1, &allow};
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        return 100 + errno;
    return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == SECCOMP_MODE_FILTER ? 0 : 99;
}

} // namespace

// A plain fork of a CLONE_NNP child inherits no_new_privs: the grandchild
// reads PR_GET_NO_NEW_PRIVS 1.
TEST(NnpEdge, InheritedByGrandchild)
{
    REQUIRE_FEATURE(Nnp);
    Child c = spawn(CLONE_NNP | CLONE_PIDFD, SIGCHLD, [] {
        Child g = spawn(CLONE_PIDFD, SIGCHLD,
                        [] { return ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); });
        if (!g)
            return 10;
        std::optional<int> status = wait_child(g.pid, g.pidfd.get());
        if (!status || !WIFEXITED(*status))
            return 11;
        return WEXITSTATUS(*status);
    });
    ASSERT_TRUE(c) << "clone3 CLONE_NNP: " << strerror(c.error);
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "child reaped";
    EXPECT_EQ(*status, 1 << 8) << "grandchild's PR_GET_NO_NEW_PRIVS as relayed by the child "
                               << "(10: fork failed, 11: grandchild lost): "
                               << describe_status(*status);
    EXPECT_EQ(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0) << "the test process stays without NNP";
}

// As uid 65534 without capabilities, a CLONE_NNP child can install a
// seccomp filter; a child without CLONE_NNP gets EACCES (positive control).
TEST(NnpEdge, SeccompFilterWithoutCapSysAdmin)
{
    REQUIRE_FEATURE(Nnp);
    for (bool nnp : {true, false}) {
        SCOPED_TRACE(nnp ? "with CLONE_NNP" : "without CLONE_NNP");
        Child c = spawn((nnp ? CLONE_NNP : 0) | CLONE_PIDFD, SIGCHLD, [] {
            if (drop_to_nobody() != 0)
                return 98;
            return install_allow_all_filter();
        });
        ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
        std::optional<int> status = wait_child(c.pid, c.pidfd.get());
        ASSERT_TRUE(status) << "child reaped";
        ASSERT_TRUE(WIFEXITED(*status)) << describe_status(*status);
        const int expected = nnp ? 0 : 100 + EACCES;
        EXPECT_EQ(WEXITSTATUS(*status), expected)
            << "PR_SET_SECCOMP as nobody (0: installed, 98: drop failed, 99: not in filter "
               "mode afterwards, 100+errno: refused; 113 = EACCES)";
    }
}
