// SPDX-License-Identifier: GPL-2.0
// The pidfd_info the flags build on, on ordinary children: PIDFD_GET_INFO
// (pid, creds), PIDFD_INFO_EXIT (only once reaped) and supported_mask.
// Upstream has them since 6.13/6.15/6.19, the 6.12 series brings them as
// its first patches; these tests let its prefixes be judged on more than
// the baseline. Prereq* suites: each test needs its feature (a positive
// probe) and skips without it; unlike the other feature tests they may
// pass on control kernels, which have some of these features.
#include <cerrno>
#include <fcntl.h>
#include <pthread.h>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "pidfd_info_raw.h"
#include "require_feature.h"
#include "sys.h"

namespace {

// A child that takes the given ids, reports, and waits for EOF on its
// socket. Its pidfd is c.pidfd.
struct IdChild {
    Child c;
    UniqueFd ctl;

    // The child is running with its ids (it reported so).
    bool took_ids()
    {
        char b;
        return c && recv_msg(ctl.get(), &b, 1) == 1;
    }
};

IdChild start_id_child()
{
    IdChild k;
    Channel ch = Channel::make();
    int peer = ch.ends[1].get();
    k.c = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        ch.ends[0].reset();
        if (::setresgid(2001, 2002, 2003) != 0 || ::setresuid(1001, 1002, 1003) != 0)
            return 1;
        if (!send_msg(peer, "r", 1))
            return 2;
        char b;
        ::recv(peer, &b, 1, 0);
        return 0;
    });
    k.ctl = std::move(ch.ends[0]);
    return k;
}

// supported_mask where the kernel put it: upstream 6.19-7.0 (and the
// series' prefixes before the coredump_code patch) have it at offset 72,
// 7.1 moved it to 80 and put coredump_code/coredump_pad at 72. A kernel
// of the older layout writes 80 bytes and leaves offset 80 alone (0).
std::uint64_t supported_mask_of(const uapi::PidfdInfo& info)
{
    if (info.supported_mask != 0)
        return info.supported_mask;
    return info.coredump_code | (static_cast<std::uint64_t>(info.coredump_pad) << 32);
}

} // namespace

// A live child: pid, tgid and ppid as we know them, and its credentials.
TEST(PrereqPidfdInfo, LiveChildPidAndCreds)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    IdChild k = start_id_child();
    ASSERT_TRUE(k.took_ids()) << "clone3 (" << strerror(k.c.error) << ") and the child took its ids";
    std::optional<uapi::PidfdInfo> info =
        pidfd_info(k.c.pidfd.get(), uapi::kInfoPid | uapi::kInfoCreds);
    k.ctl.reset();
    std::optional<int> status = wait_child(k.c.pid, k.c.pidfd.get());
    ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "child ended well";
    EXPECT_EQ(info->mask & (uapi::kInfoPid | uapi::kInfoCreds), uapi::kInfoPid | uapi::kInfoCreds);
    EXPECT_EQ(info->pid, static_cast<std::uint32_t>(k.c.pid));
    EXPECT_EQ(info->tgid, static_cast<std::uint32_t>(k.c.pid));
    EXPECT_EQ(info->ppid, static_cast<std::uint32_t>(::getpid()));
    EXPECT_EQ(info->ruid, 1001U);
    EXPECT_EQ(info->euid, 1002U);
    EXPECT_EQ(info->suid, 1003U);
    EXPECT_EQ(info->fsuid, 1002U);
    EXPECT_EQ(info->rgid, 2001U);
    EXPECT_EQ(info->egid, 2002U);
    EXPECT_EQ(info->sgid, 2003U);
    EXPECT_EQ(info->fsgid, 2002U);
}

// Once reaped, a child has nothing left to report but its exit: asking
// without PIDFD_INFO_EXIT fails with ESRCH.
TEST(PrereqPidfdInfo, ReapedChildWithoutExitIsEsrch)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 0; });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    ASSERT_TRUE(wait_child(c.pid, c.pidfd.get())) << "reaped";
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoPid);
    EXPECT_FALSE(info) << "PIDFD_GET_INFO on a reaped child answered, mask 0x" << std::hex
                       << (info ? info->mask : 0);
    EXPECT_EQ(errno, ESRCH);
}

// An ordinary child's exit info is its wait status, and only appears once
// it was reaped: a zombie has none yet.
TEST(PrereqPidfdInfo, ExitInfoOnlyAfterReap)
{
    REQUIRE_FEATURE(PidfdInfoExit);
    for (int how : {0, SIGTERM}) {
        SCOPED_TRACE(how ? "killed by SIGTERM" : "exit(42)");
        Child c = spawn(CLONE_PIDFD, SIGCHLD, [how] {
            if (how)
                ::kill(::getpid(), how);
            return 42;
        });
        ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
        ASSERT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "the child exited";
        std::optional<uapi::PidfdInfo> zombie = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
        ASSERT_TRUE(zombie) << "PIDFD_GET_INFO on a zombie: " << strerror(errno);
        EXPECT_FALSE(zombie->mask & uapi::kInfoExit) << "exit info before the reap";
        std::optional<int> status = wait_child(c.pid, c.pidfd.get());
        ASSERT_TRUE(status) << "reaped";
        std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
        ASSERT_TRUE(info) << "PIDFD_GET_INFO after the reap: " << strerror(errno);
        ASSERT_TRUE(info->mask & uapi::kInfoExit) << "exit info after the reap";
        EXPECT_EQ(info->exit_code, *status) << "pidfd says " << describe_status(info->exit_code)
                                            << ", waitpid said " << describe_status(*status);
        EXPECT_EQ(*status, how ? how : 42 << 8) << describe_status(*status);
    }
}

// A reaped child's exit information carries the cgroup it exited in
// (PIDFD_INFO_CGROUPID, recorded at exit with the status): the id of
// ours, where the child lived.
TEST(PrereqPidfdInfo, ExitInfoCarriesCgroupId)
{
    REQUIRE_FEATURE(PidfdInfoExit);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> mine = pidfd_info(self.get(), uapi::kInfoPid);
    ASSERT_TRUE(mine) << "PIDFD_GET_INFO(self): " << strerror(errno);
    if (!(mine->mask & uapi::kInfoCgroupId))
        GTEST_SKIP() << "no PIDFD_INFO_CGROUPID (a kernel without cgroups)";
    ASSERT_NE(mine->cgroupid, 0U) << "our own cgroup id";

    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 7; });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    ASSERT_TRUE(status) << "reaped";
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO(EXIT) after the reap: " << strerror(errno);
    ASSERT_TRUE(info->mask & uapi::kInfoExit) << "exit info after the reap";
    EXPECT_EQ(info->exit_code, *status);
    EXPECT_TRUE(info->mask & uapi::kInfoCgroupId) << "reply mask 0x" << std::hex << info->mask;
    EXPECT_EQ(info->cgroupid, mine->cgroupid) << "the cgroup the child exited in";
}

// supported_mask names at least what the flags need: PID, CREDS, CGROUPID,
// EXIT and SUPPORTED_MASK itself (in either layout, see supported_mask_of).
TEST(PrereqPidfdInfo, SupportedMaskBasics)
{
    REQUIRE_FEATURE(PidfdInfoSupportedMask);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoSupportedMask);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
    ASSERT_TRUE(info->mask & uapi::kInfoSupportedMask) << "SUPPORTED_MASK answered";
    const std::uint64_t need = uapi::kInfoPid | uapi::kInfoCreds | uapi::kInfoCgroupId |
                               uapi::kInfoExit | uapi::kInfoSupportedMask;
    const std::uint64_t mask = supported_mask_of(*info);
    EXPECT_EQ(mask & need, need) << "supported_mask 0x" << std::hex << mask;
}

// Where the fields every PIDFD_GET_INFO kernel has sit (SPEC §5), read as
// raw bytes of a VER0 (64-byte) reply: cgroupid 8, pid 16, tgid 20, ppid
// 24, ruid..fsgid 28..56; and exit_code 60 of a VER1 (72-byte) reply.
// Nothing is written past the size asked for.
TEST(PrereqPidfdInfo, FieldOffsets)
{
    REQUIRE_FEATURE(PidfdInfoExit);
    IdChild k = start_id_child();
    ASSERT_TRUE(k.took_ids()) << "clone3 (" << strerror(k.c.error) << ") and the child took its ids";
    RawInfo raw;
    int ret = raw.get(k.c.pidfd.get(), uapi::kInfoPid | uapi::kInfoCreds | uapi::kInfoCgroupId,
                      uapi::kInfoSizeVer0);
    int err = errno;
    k.ctl.reset();
    std::optional<int> status = wait_child(k.c.pid, k.c.pidfd.get());
    ASSERT_EQ(ret, 0) << "PIDFD_GET_INFO (64 bytes): " << strerror(err);
    ASSERT_TRUE(status && *status == 0) << "child ended well";
    const std::uint64_t mask = raw.u64(0);
    EXPECT_EQ(mask & (uapi::kInfoPid | uapi::kInfoCreds), uapi::kInfoPid | uapi::kInfoCreds)
        << "mask 0x" << std::hex << mask;
    if (mask & uapi::kInfoCgroupId) {
        EXPECT_NE(raw.u64(8), 0U) << "cgroupid at 8";
    }
    const struct {
        std::size_t off;
        std::uint32_t want;
        const char* what;
    } fields[] = {
        {16, static_cast<std::uint32_t>(k.c.pid), "pid"}, {20, static_cast<std::uint32_t>(k.c.pid), "tgid"},
        {24, static_cast<std::uint32_t>(::getpid()), "ppid"}, {28, 1001, "ruid"}, {32, 2001, "rgid"},
        {36, 1002, "euid"}, {40, 2002, "egid"}, {44, 1003, "suid"}, {48, 2003, "sgid"},
        {52, 1002, "fsuid"}, {56, 2002, "fsgid"},
    };
    for (const auto& f : fields)
        EXPECT_EQ(raw.u32(f.off), f.want) << f.what << " at offset " << f.off;
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer0)) << "bytes written past a 64-byte struct";

    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 42; });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    ASSERT_TRUE(wait_child(c.pid, c.pidfd.get())) << "reaped";
    ASSERT_EQ(raw.get(c.pidfd.get(), uapi::kInfoExit, uapi::kInfoSizeVer1), 0)
        << "PIDFD_GET_INFO (72 bytes) after the reap: " << strerror(errno);
    EXPECT_TRUE(raw.u64(0) & uapi::kInfoExit) << "mask 0x" << std::hex << raw.u64(0);
    EXPECT_EQ(raw.u32(60), 42U << 8) << "exit_code at 60";
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer1)) << "bytes written past a 72-byte struct";
}

namespace {

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

// A thread of the test process that reports its tid and lives until its
// gate is closed.
struct ParkedThread {
    int gate[2] = {-1, -1};
    pthread_t t{};
    pid_t tid = -1;
    Channel tid_ch = Channel::make();
    bool started = false;

    static void* run(void* self)
    {
        auto* p = static_cast<ParkedThread*>(self);
        pid_t tid = sys::gettid();
        send_msg(p->tid_ch.ends[1].get(), &tid, sizeof(tid));
        char b;
        while (::read(p->gate[0], &b, 1) < 0 && errno == EINTR) {
        }
        return nullptr;
    }

    bool start()
    {
        if (::pipe(gate) != 0 || !tid_ch.ends[0])
            return false;
        if (pthread_create(&t, nullptr, run, this) != 0)
            return false;
        started = true;
        return recv_msg(tid_ch.ends[0].get(), &tid, sizeof(tid)) == long(sizeof(tid));
    }

    ~ParkedThread()
    {
        if (gate[1] >= 0)
            ::close(gate[1]);
        if (started)
            pthread_join(t, nullptr);
        if (gate[0] >= 0)
            ::close(gate[0]);
    }
};

} // namespace

// PIDFD_GET_INFO on a thread pidfd (pidfd_open(tid, PIDFD_THREAD)) of a
// running thread that is not the group leader: the reply describes that
// thread (its tid as pid, the group as tgid). The lookup goes by the pid
// the file holds as a thread (PIDTYPE_PID): as a group id (PIDTYPE_TGID)
// that pid names no task, and the answer would be ESRCH or, worse, a
// lookup that never settles.
TEST(PrereqPidfdInfo, ThreadPidfdOfRunningThread)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    ParkedThread th;
    ASSERT_TRUE(th.start()) << "pthread_create and its tid: " << strerror(errno);
    ASSERT_NE(th.tid, ::getpid()) << "a thread other than the leader";
    UniqueFd fd(sys::pidfd_open(th.tid, PIDFD_THREAD));
    if (!fd && errno == EINVAL)
        GTEST_SKIP() << "no thread pidfds (PIDFD_THREAD, Linux 6.9) on this kernel";
    ASSERT_TRUE(fd) << "pidfd_open(tid, PIDFD_THREAD): " << strerror(errno);
    std::optional<uapi::PidfdInfo> info = pidfd_info(fd.get(), uapi::kInfoPid | uapi::kInfoCreds);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO on the thread pidfd of a running thread: " << strerror(errno);
    EXPECT_TRUE(info->mask & uapi::kInfoPid);
    EXPECT_EQ(info->pid, static_cast<std::uint32_t>(th.tid)) << "the thread's own id";
    EXPECT_EQ(info->tgid, static_cast<std::uint32_t>(::getpid())) << "its thread group";
    EXPECT_EQ(info->ruid, ::getuid());

    // The leader's thread pidfd answers for the leader.
    UniqueFd leader(sys::pidfd_open(::getpid(), PIDFD_THREAD));
    ASSERT_TRUE(leader) << "pidfd_open(pid, PIDFD_THREAD): " << strerror(errno);
    info = pidfd_info(leader.get(), uapi::kInfoPid);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO on the leader's thread pidfd: " << strerror(errno);
    EXPECT_EQ(info->pid, static_cast<std::uint32_t>(::getpid()));
    EXPECT_EQ(info->tgid, static_cast<std::uint32_t>(::getpid()));
}

// PIDFD_INFO_COREDUMP is answered on request only: a reply to a mask
// without it carries neither the flag nor a coredump_mask, though the
// same process's dumpability is there when asked for.
TEST(PrereqPidfdInfo, CoredumpOnlyWhenRequested)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> asked = pidfd_info(self.get(), uapi::kInfoCoredump);
    ASSERT_TRUE(asked) << "PIDFD_GET_INFO: " << strerror(errno);
    if (!(asked->mask & uapi::kInfoCoredump))
        GTEST_SKIP() << "no PIDFD_INFO_COREDUMP (Linux 6.16) on this kernel";
    EXPECT_NE(asked->coredump_mask, 0U) << "a live dumpable process has a coredump_mask when asked";

    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoPid);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
    EXPECT_FALSE(info->mask & uapi::kInfoCoredump) << "reply mask 0x" << std::hex << info->mask;
    EXPECT_FALSE(info->mask & (uapi::kInfoCoredumpSignal | uapi::kInfoCoredumpCode));
    EXPECT_EQ(info->coredump_mask, 0U) << "coredump_mask not asked for";
}

// What PIDFD_GET_INFO refuses before it looks at the task. Its struct
// pointer: NULL is EINVAL, an unmapped one EFAULT (for a live and for a
// reaped child alike). Its number: one that
// only shares the ioctl number field (11) with it, in another direction,
// of another ioctl type, or with a size below the first published struct
// (64 bytes), is no pidfs ioctl (ENOTTY), and the struct is left alone.
TEST(PrereqPidfdInfo, ArgumentErrors)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    constexpr std::size_t size = sizeof(uapi::PidfdInfo);
    alignas(8) unsigned char buf[size] = {};
    // The positive probe: the same call with PIDFD_GET_INFO's own number.
    ASSERT_EQ(::ioctl(self.get(), uapi::kPidfdGetInfo, buf), 0) << "PIDFD_GET_INFO: " << strerror(errno);

    struct Case {
        const char* what;
        unsigned long cmd;
        void* arg;
        int err;
    };
    const Case cases[] = {
        {"a NULL struct", uapi::kPidfdGetInfo, nullptr, EINVAL},
        {"an unmapped struct", uapi::kPidfdGetInfo, reinterpret_cast<void*>(8), EFAULT},
        {"size 56, below the first struct",
         uapi::pidfd_get_info_cmd(uapi::kInfoSizeVer0 - 8), buf, ENOTTY},
        {"size 0", uapi::pidfd_get_info_cmd(0), buf, ENOTTY},
        {"_IOR instead of _IOWR", _IOC(_IOC_READ, uapi::kPidfsIoctlMagic, 11, size), buf, ENOTTY},
        {"_IOW instead of _IOWR", _IOC(_IOC_WRITE, uapi::kPidfsIoctlMagic, 11, size), buf, ENOTTY},
        {"ioctl type 0xfe instead of 0xff", _IOC(_IOC_READ | _IOC_WRITE, 0xfe, 11, size), buf, ENOTTY},
    };
    for (const Case& c : cases) {
        std::memset(buf, 0, sizeof(buf));
        errno = 0;
        const int r = ::ioctl(self.get(), c.cmd, c.arg);
        const int err = errno;
        EXPECT_EQ(r, -1) << c.what << ": answered";
        EXPECT_EQ(err, c.err) << c.what << ": " << strerror(err);
        if (c.arg == buf) {
            bool untouched = true;
            for (unsigned char b : buf)
                untouched = untouched && b == 0;
            EXPECT_TRUE(untouched) << c.what << ": the struct was written";
        }
    }

    // The mask is read before anything else: an unmapped struct is EFAULT
    // for a reaped child too, not the ESRCH of a mask without EXIT.
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 0; });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    ASSERT_TRUE(wait_child(c.pid, c.pidfd.get())) << "reaped";
    errno = 0;
    EXPECT_EQ(::ioctl(c.pidfd.get(), uapi::kPidfdGetInfo, reinterpret_cast<void*>(8)), -1);
    EXPECT_EQ(errno, EFAULT) << "an unmapped struct, reaped child: " << strerror(errno);
}

// Only processes the caller's pid namespace can see are described: inside
// a new pid namespace, the pidfd of a process outside it (this test, the
// namespace's parent) is EREMOTE, though a pidfd of the namespace's own
// init answers there with the namespace's numbers.
TEST(PrereqPidfdInfo, OutsideCallersPidNamespaceIsEremote)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    UniqueFd outer(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(outer) << "pidfd_open(self): " << strerror(errno);
    const int outer_fd = outer.get();
    Child init = spawn(CLONE_NEWPID | CLONE_PIDFD, SIGCHLD, [outer_fd] {
        if (::getpid() != 1)
            return 1;
        UniqueFd own(sys::pidfd_open(1));
        if (!own)
            return 2;
        std::optional<uapi::PidfdInfo> mine = pidfd_info(own.get(), uapi::kInfoPid);
        if (!mine || mine->pid != 1 || mine->tgid != 1)
            return 3;
        std::optional<uapi::PidfdInfo> info = pidfd_info(outer_fd, uapi::kInfoPid);
        if (info)
            return 4;
        return errno == EREMOTE ? 0 : 5;
    });
    ASSERT_TRUE(init) << "clone3 CLONE_NEWPID: " << strerror(init.error);
    std::optional<int> status = wait_child(init.pid, init.pidfd.get());
    ASSERT_TRUE(status) << "pid-namespace init finished its scenario";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (1: not pid 1, 2: pidfd_open(1), 3: PIDFD_GET_INFO of its own init "
                             "failed or not in its numbers, 4: the outer process was described, "
                             "5: refused, but not with EREMOTE)";
}

namespace {

// The coredump_mask PIDFD_INFO_COREDUMP gives for a live child whose mm
// has the given dumpable setting (0 or 1: prctl; 2: a credential change
// under fs.suid_dumpable=2); 0 when anything failed, errno kept.
std::uint32_t live_coredump_mask(int dumpable)
{
    Channel ch = Channel::make();
    int peer = ch.ends[1].get();
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        ch.ends[0].reset();
        if (dumpable == 2) {
            if (::setresuid(1001, 1001, 1001) != 0)
                return 1;
        } else if (::prctl(PR_SET_DUMPABLE, dumpable) != 0) {
            return 1;
        }
        if (::prctl(PR_GET_DUMPABLE) != dumpable || !send_msg(peer, "r", 1))
            return 2;
        char b;
        ::recv(peer, &b, 1, 0);
        return 0;
    });
    UniqueFd ctl = std::move(ch.ends[0]);
    char b;
    std::uint32_t mask = 0;
    if (c && recv_msg(ctl.get(), &b, 1) == 1) {
        std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoCoredump);
        if (info && (info->mask & uapi::kInfoCoredump))
            mask = info->coredump_mask;
    }
    ctl.reset();
    if (c)
        wait_child(c.pid, c.pidfd.get());
    return mask;
}

} // namespace

// How a live process would be dumped, by its dumpable setting: 1 (the
// default) is PIDFD_COREDUMP_USER, 0 PIDFD_COREDUMP_SKIP, and 2 (a
// credential change while fs.suid_dumpable is 2) PIDFD_COREDUMP_ROOT.
TEST(PrereqPidfdInfo, CoredumpMaskOfLiveProcess)
{
    REQUIRE_FEATURE(PidfdGetInfo);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> mine = pidfd_info(self.get(), uapi::kInfoCoredump);
    ASSERT_TRUE(mine) << "PIDFD_GET_INFO: " << strerror(errno);
    if (!(mine->mask & uapi::kInfoCoredump))
        GTEST_SKIP() << "no PIDFD_INFO_COREDUMP (Linux 6.16) on this kernel";
    EXPECT_EQ(mine->coredump_mask, uapi::kCoredumpUser) << "ourselves, dumpable 1";
    EXPECT_EQ(live_coredump_mask(1), uapi::kCoredumpUser) << "a child, dumpable 1";
    EXPECT_EQ(live_coredump_mask(0), uapi::kCoredumpSkip) << "a child, dumpable 0";

    // fs.suid_dumpable=2 for the one child that changes its uid, then back.
    const char* const knob = "/proc/sys/fs/suid_dumpable";
    char old[8] = {};
    UniqueFd rd(::open(knob, O_RDONLY | O_CLOEXEC));
    if (!rd || ::read(rd.get(), old, sizeof(old) - 1) <= 0 || ::getuid() != 0)
        GTEST_SKIP() << "can't set " << knob << " (dumpable 2 not checked)";
    auto set_knob = [&](const char* v) {
        UniqueFd wr(::open(knob, O_WRONLY | O_CLOEXEC));
        return wr && ::write(wr.get(), v, std::strlen(v)) == static_cast<ssize_t>(std::strlen(v));
    };
    ASSERT_TRUE(set_knob("2")) << "write 2 to " << knob << ": " << strerror(errno);
    const std::uint32_t root = live_coredump_mask(2);
    EXPECT_TRUE(set_knob(old)) << "restore " << knob << " to " << old;
    EXPECT_EQ(root, uapi::kCoredumpRoot) << "a child, dumpable 2 (uid changed under suid_dumpable=2)";
}
