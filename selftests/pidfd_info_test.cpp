// SPDX-License-Identifier: GPL-2.0
// pidfd_info's supported_mask (SPEC §5): it lists every bit the kernel
// knows, PIDFD_INFO_COREDUMP_CODE included.
#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <unistd.h>

#include "child.h"
#include "require_feature.h"
#include "sys.h"

// supported_mask has bits 0..7: PID, CREDS, CGROUPID, EXIT, COREDUMP,
// SUPPORTED_MASK, COREDUMP_SIGNAL, COREDUMP_CODE.
TEST(PidfdInfo, SupportedMaskListsAllBits)
{
    REQUIRE_FEATURE(PidfdInfoCoredumpCode);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoSupportedMask);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
    ASSERT_TRUE(info->mask & uapi::kInfoSupportedMask) << "SUPPORTED_MASK answered";
    EXPECT_EQ(info->supported_mask & 0xff, 0xffU) << "supported_mask 0x" << std::hex
                                                  << info->supported_mask;
}

// Asking for COREDUMP on a live process that never dumped reports its
// dumpability only: no signal, no code.
TEST(PidfdInfo, LiveProcessHasNoDumpSignal)
{
    REQUIRE_FEATURE(PidfdInfoCoredumpCode);
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoCoredump);
    ASSERT_TRUE(info) << "PIDFD_GET_INFO: " << strerror(errno);
    EXPECT_TRUE(info->mask & uapi::kInfoCoredump) << "dumpability reported";
    EXPECT_FALSE(info->coredump_mask & uapi::kCoredumped) << "never dumped";
    EXPECT_FALSE(info->mask & uapi::kInfoCoredumpCode) << "no code without a dump";
    EXPECT_EQ(info->coredump_code, 0U) << "coredump_code without a dump";
}
