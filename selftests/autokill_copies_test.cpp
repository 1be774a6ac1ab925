// SPDX-License-Identifier: GPL-2.0
// CLONE_PIDFD_AUTOKILL and other ways to get at the pidfd (SPEC §4):
// pidfd_getfd() shares the clone3 struct file and so extends the child's
// life; open_by_handle_at() always makes a new file that never kills, even
// when asked for O_TRUNC (the bit that marks autokill files internally).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "echo_child.h"
#include "require_feature.h"

namespace {

// A file handle for the task behind pidfd (pidfs supports them since 6.13).
struct Handle {
    alignas(struct file_handle) unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
    struct file_handle* get() { return reinterpret_cast<struct file_handle*>(bytes); }
};

bool handle_of(int pidfd, Handle* h)
{
    h->get()->handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    return ::name_to_handle_at(pidfd, "", h->get(), &mount_id, AT_EMPTY_PATH) == 0;
}

} // namespace

// A copy taken with pidfd_getfd() from another process keeps the child
// alive after that process and we have closed every other copy.
TEST(AutokillCopies, PidfdGetfdExtendsLife)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    Holder holder = Holder::start();
    ASSERT_TRUE(holder.proc) << "holder fork: " << strerror(holder.proc.error);
    int number_in_holder = e.child.pidfd.get(); // fork keeps descriptor numbers
    e.child.pidfd.reset();
    UniqueFd copy(sys::pidfd_getfd(holder.proc.pidfd.get(), number_in_holder));
    ASSERT_TRUE(copy) << "pidfd_getfd: " << strerror(errno);
    EXPECT_TRUE(holder.release()) << "holder told to exit, and exited";
    EXPECT_TRUE(e.alive()) << "the pidfd_getfd() copy keeps the child alive";
    copy.reset();
    EXPECT_TRUE(e.killed()) << "closing the pidfd_getfd() copy, the last one, kills";
}

// pidfds opened from a file handle, with or without O_TRUNC, never kill.
TEST(AutokillCopies, OpenByHandleNeverKills)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfdInfoExit);
    REQUIRE_FEATURE(PidfsFileHandles);
    EchoChild e = EchoChild::start();
    ASSERT_TRUE(e.child && e.observer) << "autokill child and observer";
    Handle h;
    ASSERT_TRUE(handle_of(e.child.pidfd.get(), &h)) << "name_to_handle_at: " << strerror(errno);
    for (int flags : {0, O_TRUNC, O_RDWR | O_TRUNC}) {
        UniqueFd fd(::open_by_handle_at(e.observer.get(), h.get(), flags | O_CLOEXEC));
        if (!fd) {
            EXPECT_NE(flags, 0) << "open_by_handle_at without flags: " << strerror(errno);
            continue; // refusing O_TRUNC outright is fine too
        }
        fd.reset();
        EXPECT_TRUE(e.alive()) << "closing an open_by_handle_at(flags 0" << std::oct << flags
                               << ") pidfd must not kill";
    }
    e.child.pidfd.reset();
    EXPECT_TRUE(e.killed()) << "the clone3 pidfd still kills";
}

// O_TRUNC through open_by_handle_at() cannot arm autokill on a child that
// was not created with it.
TEST(AutokillCopies, OpenByHandleCannotArmPlainChild)
{
    REQUIRE_FEATURE(PidfdAutokill);
    REQUIRE_FEATURE(PidfsFileHandles);
    EchoChild e = EchoChild::start(CLONE_AUTOREAP | CLONE_PIDFD);
    ASSERT_TRUE(e.child && e.observer) << "autoreap child and observer";
    Handle h;
    ASSERT_TRUE(handle_of(e.child.pidfd.get(), &h)) << "name_to_handle_at: " << strerror(errno);
    UniqueFd fd(::open_by_handle_at(e.observer.get(), h.get(), O_RDWR | O_TRUNC | O_CLOEXEC));
    fd.reset();
    e.child.pidfd.reset();
    EXPECT_TRUE(e.alive()) << "no pidfd of a plain child kills on close";
    EXPECT_EQ(sys::pidfd_send_signal(e.observer.get(), SIGKILL), 0) << "clean up";
    EXPECT_TRUE(wait_pollhup(e.observer.get())) << "child gone";
}
