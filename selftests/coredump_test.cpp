// SPDX-License-Identifier: GPL-2.0
// pidfd_info coredump fields (SPEC §5): with a "|helper %F" core_pattern an
// autoreap child's dump is recorded in pidfs with the signal and si_code
// that caused it. The tests own /proc/sys/kernel/core_pattern while they
// run (coredump_fixture.h); more cases in coredump_edge_test.cpp.
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "coredump_fixture.h"
#include "feature_probes.h"

namespace {

[[noreturn]] void crash_null()
{
    int* p = nullptr;
    asm volatile("" : "+r"(p)); // hide the NULL from the optimiser
    *static_cast<volatile int*>(p) = 1;
    std::abort();
}

[[noreturn]] void crash_readonly()
{
    void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
    std::abort();
}

} // namespace

// NULL dereference: the dump is recorded with SIGSEGV / SEGV_MAPERR.
TEST_F(Coredump, NullDereferenceIsSegvMaperr)
{
    std::optional<uapi::PidfdInfo> info = CrashAndRead(crash_null);
    ASSERT_TRUE(info) << "exit and coredump info of the crashed child";
    ASSERT_TRUE(info->mask & uapi::kInfoCoredump) << "mask 0x" << std::hex << info->mask;
    EXPECT_TRUE(info->mask & uapi::kInfoCoredumpSignal) << "mask 0x" << std::hex << info->mask;
    EXPECT_TRUE(info->mask & uapi::kInfoCoredumpCode) << "mask 0x" << std::hex << info->mask;
    EXPECT_TRUE(info->coredump_mask & uapi::kCoredumped) << "coredump_mask 0x" << std::hex
                                                          << info->coredump_mask;
    EXPECT_EQ(info->coredump_signal, unsigned(SIGSEGV)) << "coredump_signal";
    EXPECT_EQ(info->coredump_code, unsigned(SEGV_MAPERR)) << "coredump_code for a NULL write";
    ASSERT_TRUE(info->mask & uapi::kInfoExit) << "exit info after POLLHUP";
    EXPECT_TRUE(WIFSIGNALED(info->exit_code) && WTERMSIG(info->exit_code) == SIGSEGV &&
                WCOREDUMP(info->exit_code))
        << "exit status " << describe_status(info->exit_code);
}

// Write to a read-only page: SIGSEGV / SEGV_ACCERR.
TEST_F(Coredump, ReadOnlyWriteIsSegvAccerr)
{
    std::optional<uapi::PidfdInfo> info = CrashAndRead(crash_readonly);
    ASSERT_TRUE(info) << "exit and coredump info of the crashed child";
    ASSERT_TRUE(info->mask & uapi::kInfoCoredump) << "mask 0x" << std::hex << info->mask;
    EXPECT_EQ(info->coredump_signal, unsigned(SIGSEGV)) << "coredump_signal";
    EXPECT_EQ(info->coredump_code, unsigned(SEGV_ACCERR)) << "coredump_code for a read-only write";
}

// abort(): SIGABRT, raised with tgkill (si_code SI_TKILL).
TEST_F(Coredump, AbortIsSigabrt)
{
    std::optional<uapi::PidfdInfo> info = CrashAndRead([] { std::abort(); });
    ASSERT_TRUE(info) << "exit and coredump info of the crashed child";
    ASSERT_TRUE(info->mask & uapi::kInfoCoredump) << "mask 0x" << std::hex << info->mask;
    EXPECT_EQ(info->coredump_signal, unsigned(SIGABRT)) << "coredump_signal";
    EXPECT_EQ(static_cast<int>(info->coredump_code), SI_TKILL) << "coredump_code of abort()";
    EXPECT_TRUE(WIFSIGNALED(info->exit_code) && WTERMSIG(info->exit_code) == SIGABRT)
        << "exit status " << describe_status(info->exit_code);
}

// A pipe pattern without %F records nothing in pidfs (SPEC §5).
TEST_F(Coredump, PipeWithoutPidfdRecordsNothing)
{
    UsePattern(SinkPattern(""));
    std::optional<uapi::PidfdInfo> info = CrashAndRead(crash_null);
    ASSERT_TRUE(info) << "exit and coredump info of the crashed child";
    EXPECT_FALSE((info->mask & uapi::kInfoCoredump) && (info->coredump_mask & uapi::kCoredumped))
        << "no dump recorded without %F: mask 0x" << std::hex << info->mask << " coredump_mask 0x"
        << info->coredump_mask;
    EXPECT_TRUE(WIFSIGNALED(info->exit_code) && WTERMSIG(info->exit_code) == SIGSEGV)
        << "exit status " << describe_status(info->exit_code);
}

// Each published struct size works through the size encoded in the ioctl
// number; fields beyond the caller's size are never written.
TEST_F(Coredump, EveryStructSizeWorks)
{
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, []() -> int { crash_null(); });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "crashed child released";
    for (std::size_t size : {uapi::kInfoSizeVer0, uapi::kInfoSizeVer1, uapi::kInfoSizeVer2,
                             uapi::kInfoSizeVer3, std::size_t{96}}) {
        SCOPED_TRACE("struct size " + std::to_string(size));
        unsigned char buf[128];
        std::memset(buf, 0xa5, sizeof(buf));
        std::uint64_t mask = uapi::kInfoExit | uapi::kInfoCoredump | uapi::kInfoSupportedMask;
        std::memcpy(buf, &mask, sizeof(mask));
        if (size > uapi::kInfoSizeVer3)
            std::memset(buf + uapi::kInfoSizeVer3, 0, size - uapi::kInfoSizeVer3);
        ASSERT_EQ(::ioctl(c.pidfd.get(), uapi::pidfd_get_info_cmd(size), buf), 0)
            << "PIDFD_GET_INFO: " << strerror(errno);
        uapi::PidfdInfo info;
        std::memcpy(&info, buf, sizeof(info));
        EXPECT_TRUE(WIFSIGNALED(info.exit_code) && WTERMSIG(info.exit_code) == SIGSEGV)
            << "exit_code " << describe_status(info.exit_code);
        if (size >= uapi::kInfoSizeVer1) {
            EXPECT_EQ(info.coredump_signal, unsigned(SIGSEGV)) << "coredump_signal";
        }
        if (size >= uapi::kInfoSizeVer2) {
            EXPECT_EQ(info.coredump_code, unsigned(SEGV_MAPERR)) << "coredump_code";
        }
        if (size >= uapi::kInfoSizeVer3) {
            EXPECT_TRUE(info.supported_mask & uapi::kInfoCoredumpCode) << "supported_mask";
        }
        bool untouched = true;
        for (std::size_t i = size; i < sizeof(buf); ++i)
            untouched = untouched && buf[i] == 0xa5;
        EXPECT_TRUE(untouched) << "bytes past the caller's struct were written";
    }
    // Smaller than VER0: not a PIDFD_GET_INFO at all. SPEC is silent; the
    // oracle (and 6.18) reject it in pidfs_ioctl_valid() with ENOTTY before
    // pidfd_info()'s own EINVAL check can run.
    unsigned char small[64] = {};
    EXPECT_EQ(::ioctl(c.pidfd.get(), uapi::pidfd_get_info_cmd(56), small), -1)
        << "a struct smaller than VER0";
    EXPECT_EQ(errno, ENOTTY) << "errno for a struct smaller than VER0";
}
