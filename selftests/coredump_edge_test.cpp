// SPDX-License-Identifier: GPL-2.0
// More pidfd_info coredump cases (SPEC §5), in the Coredump fixture (it
// owns core_pattern): SIGBUS with BUS_ADRERR, and no coredump fields for a
// process that did not dump.
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "coredump_fixture.h"
#include "sys.h"

namespace {

// Touch a page of a shared file mapping whose file was truncated to 0:
// the fault lies beyond EOF, SIGBUS with BUS_ADRERR.
[[noreturn]] void crash_truncated_mapping()
{
    int fd = ::memfd_create("clone3-sigbus", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, 4096) != 0)
        std::abort();
    void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED || ::ftruncate(fd, 0) != 0)
        std::abort();
    *static_cast<volatile char*>(page) = 1;
    std::abort();
}

} // namespace

// A write past EOF through a shared mapping: coredump_signal SIGBUS (7),
// coredump_code BUS_ADRERR (2).
TEST_F(Coredump, TruncatedMappingIsSigbusAdrerr)
{
    std::optional<uapi::PidfdInfo> info = CrashAndRead(crash_truncated_mapping);
    ASSERT_TRUE(info) << "exit and coredump info of the crashed child";
    ASSERT_TRUE(info->mask & uapi::kInfoCoredump) << "mask 0x" << std::hex << info->mask;
    EXPECT_TRUE(info->coredump_mask & uapi::kCoredumped) << "coredump_mask 0x" << std::hex
                                                          << info->coredump_mask;
    EXPECT_EQ(info->coredump_signal, unsigned(SIGBUS)) << "coredump_signal";
    EXPECT_EQ(info->coredump_code, unsigned(BUS_ADRERR)) << "coredump_code past EOF";
    ASSERT_TRUE(info->mask & uapi::kInfoExit) << "exit info after POLLHUP";
    EXPECT_TRUE(WIFSIGNALED(info->exit_code) && WTERMSIG(info->exit_code) == SIGBUS)
        << "exit status " << describe_status(info->exit_code);
}

// A process that did not dump (it called _exit(), or SIGKILL ended it) has
// no coredump record: once released, PIDFD_INFO_COREDUMP asked for comes
// back without the COREDUMP bits and with zero coredump fields.
TEST_F(Coredump, NoDumpNoCoredumpFields)
{
    for (bool killed : {false, true}) {
        SCOPED_TRACE(killed ? "SIGKILL" : "_exit(0)");
        Gate gate = Gate::make();
        ASSERT_TRUE(gate) << "pipe2";
        Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
            gate.wait();
            return 0;
        });
        ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
        if (killed) {
            ASSERT_EQ(sys::pidfd_send_signal(c.pidfd.get(), SIGKILL), 0) << "SIGKILL";
        }
        gate.wr.reset(); // EOF lets the child exit
        ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "child released";
        std::optional<uapi::PidfdInfo> info =
            pidfd_info(c.pidfd.get(), uapi::kInfoExit | uapi::kInfoCoredump);
        ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
        ASSERT_TRUE(info->mask & uapi::kInfoExit) << "exit info after POLLHUP";
        EXPECT_EQ(info->exit_code, killed ? SIGKILL : 0) << describe_status(info->exit_code);
        const std::uint64_t dump_bits =
            uapi::kInfoCoredump | uapi::kInfoCoredumpSignal | uapi::kInfoCoredumpCode;
        EXPECT_EQ(info->mask & dump_bits, 0u)
            << "coredump bits in mask 0x" << std::hex << info->mask;
        EXPECT_EQ(info->coredump_mask, 0u) << "coredump_mask";
        EXPECT_EQ(info->coredump_signal, 0u) << "coredump_signal";
        EXPECT_EQ(info->coredump_code, 0u) << "coredump_code";
    }
}
