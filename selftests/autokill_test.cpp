// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL (SPEC §4): the child is SIGKILLed when the last
// reference to the struct file clone3 created goes away, and only then.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clone_attempt.h"
#include "echo_child.h"
#include "require_feature.h"
#include "scm_rights.h"
#include "sys.h"


// Closing the clone3 pidfd kills the child, which is then autoreaped.
TEST(AutokillClose, CloseKills)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer: " << strerror(e.child.error);
    ASSERT_TRUE(e.alive()) << "child runs while its pidfd is open";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "SIGKILL on close of the only clone3 pidfd";
    int st;
    EXPECT_EQ(::waitpid(e.child.pid, &st, __WALL | WNOHANG), -1) << "no zombie after autokill";
}

// Closing a pidfd_open() pidfd never kills; the clone3 one still does.
TEST(AutokillClose, PidfdOpenCloseNeverKills)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    UniqueFd other(sys::pidfd_open(e.child.pid));
    ASSERT_TRUE(other) << "second pidfd_open";
    other.reset();
    EXPECT_TRUE(e.alive()) << "closing a pidfd_open() pidfd must not kill";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "closing the clone3 pidfd afterwards kills";
}

// dup() shares the struct file: the child lives until the last copy closes.
TEST(AutokillShare, DupExtendsLife)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    UniqueFd copy(::dup(e.child.pidfd.get()));
    ASSERT_TRUE(copy) << "dup";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.alive()) << "the dup() keeps the file, and the child, alive";
    copy.reset();
    EXPECT_TRUE(e.killed()) << "closing the last copy kills";
}

// fork() shares the struct file: a copy held by another process keeps the
// child alive until that process dies (its copies die with it).
TEST(AutokillShare, ForkedCopyExtendsLife)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    Holder holder = Holder::start();
    ASSERT_TRUE(holder.proc) << "holder fork: " << strerror(holder.proc.error);
    e.child.pidfd.reset();
    EXPECT_TRUE(e.alive()) << "the holder's inherited copy keeps the child alive";
    EXPECT_TRUE(holder.release()) << "holder told to exit, and exited";
    EXPECT_TRUE(e.killed()) << "the holder's death dropped the last copy";
}

// SCM_RIGHTS passes the same struct file: the received copy keeps the
// child alive after the original is closed.
TEST(AutokillShare, ScmRightsCopyExtendsLife)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    Channel ch = Channel::make();
    ASSERT_TRUE(send_fd(ch.ends[1].get(), e.child.pidfd.get())) << "sendmsg SCM_RIGHTS";
    e.child.pidfd.reset();
    EXPECT_TRUE(e.alive()) << "the in-flight SCM_RIGHTS copy keeps the child alive";
    UniqueFd received = recv_fd(ch.ends[0].get());
    ASSERT_TRUE(received) << "a descriptor arrived";
    EXPECT_TRUE(e.alive()) << "the received copy keeps the child alive";
    received.reset();
    EXPECT_TRUE(e.killed()) << "closing the received (last) copy kills";
}

// Unprivileged (uid 65534, no capabilities): EPERM without CLONE_NNP,
// accepted with it, and the close still kills.
TEST(AutokillPrivilege, UnprivilegedNeedsNnp)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(Nnp);
    AttemptResult without = attempt_clone3({.flags = kAutokill, .caller = CallerKind::Nobody});
    ASSERT_TRUE(without.ran) << without.problems;
    EXPECT_EQ(without.error, EPERM) << "unprivileged autokill without CLONE_NNP";
    AttemptResult with = attempt_clone3({.flags = kAutokill | CLONE_NNP, .caller = CallerKind::Nobody,
                                         .check_exit_info = features::has(features::Feature::PidfdInfoExit)});
    ASSERT_TRUE(with.ran) << with.problems;
    EXPECT_EQ(with.error, 0) << "unprivileged autokill with CLONE_NNP: " << strerror(with.error);
    EXPECT_EQ(with.problems, "") << "post-conditions (killed on close, autoreaped)";
}
