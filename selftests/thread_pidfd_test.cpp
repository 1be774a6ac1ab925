// SPDX-License-Identifier: GPL-2.0
// Thread pidfds (pidfd_open(tid, PIDFD_THREAD)) of autoreap and autokill
// children (SPEC §4): do_dentry_open() strips O_EXCL and O_TRUNC, so
// pidfs_alloc_file() raises PIDFD_THREAD (O_EXCL) and PIDFD_AUTOKILL
// (O_TRUNC) again; F_GETFL shows what each pidfd carries. A thread pidfd
// is never an autokill file, and its poll semantics are upstream's.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "child.h"
#include "echo_child.h"
#include "require_feature.h"
#include "sys.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace {

// The extra thread of the child: reports its tid, then ends (pthread
// exit, the group lives on) when its gate opens.
struct Worker {
    Channel tid_ch = Channel::make();
    Gate gate = Gate::make();

    static void* run(void* self)
    {
        auto* w = static_cast<Worker*>(self);
        pid_t tid = sys::gettid();
        send_msg(w->tid_ch.ends[1].get(), &tid, sizeof(tid));
        char b;
        while (::read(w->gate.rd.get(), &b, 1) < 0 && errno == EINTR) {
        }
        return nullptr;
    }

    // In the child: start the thread (the test keeps the gate's write end).
    bool start()
    {
        gate.wr.reset();
        pthread_t t;
        return pthread_create(&t, nullptr, run, this) == 0;
    }
};

int file_flags(int fd) { return ::fcntl(fd, F_GETFL); }

// The scenario for one kind of child (gtest assertions in the test).
void check_thread_pidfds(std::uint64_t flags)
{
    const bool autokill = flags & CLONE_PIDFD_AUTOKILL;
    Worker w;
    ASSERT_TRUE(w.tid_ch.ends[0] && w.gate) << "socketpair and pipe";
    EchoChild e = EchoChild::start(flags, [&w] { return w.start(); });
    ASSERT_TRUE(e.child && e.observer) << "clone3 and observer: " << strerror(e.child.error);
    w.tid_ch.ends[1].reset();
    w.gate.rd.reset();
    pid_t tid = -1;
    ASSERT_EQ(recv_msg(w.tid_ch.ends[0].get(), &tid, sizeof(tid)), long(sizeof(tid))) << "thread's tid";
    ASSERT_NE(tid, e.child.pid) << "a thread other than the leader";

    UniqueFd thread_fd(sys::pidfd_open(tid, PIDFD_THREAD));
    ASSERT_TRUE(thread_fd) << "pidfd_open(tid, PIDFD_THREAD): " << strerror(errno);
    UniqueFd leader_fd(sys::pidfd_open(e.child.pid, PIDFD_THREAD));
    ASSERT_TRUE(leader_fd) << "pidfd_open(pid, PIDFD_THREAD): " << strerror(errno);

    // F_GETFL: O_RDWR everywhere; O_EXCL (PIDFD_THREAD) only on the thread
    // pidfds; O_TRUNC (PIDFD_AUTOKILL) only on an autokill clone3 pidfd.
    struct {
        const char* what;
        int fd;
        bool thread, autokill;
    } const fds[] = {
        {"thread pidfd", thread_fd.get(), true, false},
        {"leader's PIDFD_THREAD pidfd", leader_fd.get(), true, false},
        {"clone3 pidfd", e.child.pidfd.get(), false, autokill},
        {"pidfd_open() pidfd", e.observer.get(), false, false},
    };
    for (const auto& f : fds) {
        int fl = file_flags(f.fd);
        ASSERT_GE(fl, 0) << "F_GETFL on the " << f.what << ": " << strerror(errno);
        EXPECT_EQ(fl & O_ACCMODE, O_RDWR) << f.what << " F_GETFL 0" << std::oct << fl;
        EXPECT_EQ(bool(fl & PIDFD_THREAD), f.thread)
            << "PIDFD_THREAD (O_EXCL) on the " << f.what << ", F_GETFL 0" << std::oct << fl;
        EXPECT_EQ(bool(fl & O_TRUNC), f.autokill)
            << "PIDFD_AUTOKILL (O_TRUNC) on the " << f.what << ", F_GETFL 0" << std::oct << fl;
    }

    // Live thread: no event on its pidfd; closing thread pidfds kills nothing.
    EXPECT_EQ(poll_fd(thread_fd.get(), POLLIN, 0), 0) << "thread pidfd of a live thread";
    leader_fd.reset();
    EXPECT_TRUE(e.alive()) << "closing the leader's PIDFD_THREAD pidfd must not kill";

    // The thread ends alone: its pidfd reports POLLHUP (a non-leader
    // thread is released at once); the process pidfds see nothing.
    ASSERT_TRUE(w.gate.open()) << "release the thread";
    EXPECT_TRUE(wait_pollhup(thread_fd.get())) << "POLLHUP on the thread pidfd once the thread ended";
    EXPECT_EQ(poll_fd(e.child.pidfd.get(), POLLIN, 0), 0) << "clone3 pidfd while the process runs";
    EXPECT_EQ(poll_fd(e.observer.get(), POLLIN, 0), 0) << "pidfd_open() pidfd while the process runs";
    thread_fd.reset();
    EXPECT_TRUE(e.alive()) << "closing the thread pidfd must not kill";

    if (autokill) {
        e.child.pidfd.reset();
        EXPECT_TRUE(e.killed()) << "closing the clone3 pidfd still kills";
        return;
    }
    e.sock.reset(); // the child's echo loop ends: exit 0
    ASSERT_TRUE(wait_pollhup(e.observer.get())) << "autoreap child released";
    std::optional<uapi::PidfdInfo> info = pidfd_info(e.observer.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 0) << describe_status(info->exit_code);
}

} // namespace

// An autoreap child's thread: PIDFD_THREAD pidfds carry O_EXCL in F_GETFL,
// the clone3 pidfd neither O_EXCL nor O_TRUNC; the thread's pidfd reports
// its end while the process pidfds stay quiet.
TEST(ThreadPidfd, AutoreapChildThread)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    check_thread_pidfds(CLONE_AUTOREAP | CLONE_PIDFD);
}

// An autokill child's thread: the clone3 pidfd carries O_TRUNC, thread
// pidfds O_EXCL only; closing thread pidfds (the leader's too) never
// kills, closing the clone3 pidfd afterwards does.
TEST(ThreadPidfd, AutokillChildThread)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    check_thread_pidfds(kAutokill);
}
