// SPDX-License-Identifier: GPL-2.0
// The final pidfd_info layout (SPEC §5, §9 "every prefix exposes only the
// final ABI"): supported_mask at 80 (VER3, 88 bytes), coredump_signal at
// 68, coredump_code at 72, read as raw bytes of replies of every size.
// Upstream 6.19 and 7.0 had supported_mask at 72 (VER2) until 7.1 moved
// it; those releases are the only kernels allowed that layout (the Debian
// 7.0 control), every other kernel that answers PIDFD_INFO_SUPPORTED_MASK
// is judged, prefixes of our series included. Identity and exit offsets:
// PrereqPidfdInfo.FieldOffsets.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "child.h"
#include "coredump_fixture.h"
#include "pidfd_info_raw.h"
#include "require_feature.h"
#include "sys.h"

namespace {

// "6.19" or "7.0" when the running kernel is one of the upstream releases
// with supported_mask at 72, else "".
std::string interim_layout_release()
{
    struct utsname u;
    int major = 0, minor = 0;
    if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return "";
    if ((major == 6 && minor == 19) || (major == 7 && minor == 0))
        return std::to_string(major) + "." + std::to_string(minor);
    return "";
}

constexpr std::uint64_t kKnownBits = 0xff; // PIDFD_INFO_PID .. COREDUMP_CODE
constexpr std::uint64_t kMaskNeeds = uapi::kInfoPid | uapi::kInfoCreds | uapi::kInfoCgroupId |
                                     uapi::kInfoExit | uapi::kInfoSupportedMask;

// raise() sends with si_code SI_TKILL (-6): a coredump_code that is not 0.
[[noreturn]] void crash_by_raise()
{
    ::raise(SIGSEGV);
    _exit(99);
}

} // namespace

// supported_mask sits at 80: an 88-byte reply has it there, and 72..79
// (coredump_code/pad, not asked) are zero, not the mask; an 80-byte reply
// has no room for it (72..79 zero, nothing written from 80 on).
TEST(PidfdInfoLayout, SupportedMaskAtOffset80)
{
    REQUIRE_FEATURE(PidfdInfoSupportedMask);
    std::string interim = interim_layout_release();
    if (!interim.empty())
        GTEST_SKIP() << "kernel lacks the final pidfd_info layout (upstream " << interim
                     << " has supported_mask at offset 72; 7.1 moved it to 80)";
    UniqueFd self(sys::pidfd_open(::getpid()));
    ASSERT_TRUE(self) << "pidfd_open(self): " << strerror(errno);
    RawInfo raw;

    ASSERT_EQ(raw.get(self.get(), uapi::kInfoSupportedMask, uapi::kInfoSizeVer3), 0)
        << "PIDFD_GET_INFO (88 bytes): " << strerror(errno);
    ASSERT_TRUE(raw.u64(0) & uapi::kInfoSupportedMask) << "mask 0x" << std::hex << raw.u64(0);
    const std::uint64_t at80 = raw.u64(80), at72 = raw.u64(72);
    EXPECT_EQ(at80 & kMaskNeeds, kMaskNeeds) << "supported_mask at 80: 0x" << std::hex << at80
                                             << " (at 72: 0x" << at72 << ")";
    EXPECT_EQ(at80 & ~kKnownBits, 0U) << "supported_mask at 80 has unknown bits: 0x" << std::hex << at80;
    EXPECT_EQ(at72, 0U) << "bytes 72..79 (coredump_code, coredump_pad; not asked) hold 0x" << std::hex
                        << at72;
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer3)) << "bytes written past an 88-byte struct";

    ASSERT_EQ(raw.get(self.get(), uapi::kInfoSupportedMask, uapi::kInfoSizeVer2), 0)
        << "PIDFD_GET_INFO (80 bytes): " << strerror(errno);
    EXPECT_EQ(raw.u64(72), 0U) << "an 80-byte reply carries a supported_mask at 72: 0x" << std::hex
                               << raw.u64(72);
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer2)) << "bytes written past an 80-byte struct";
}

// A recorded dump in replies of each size: coredump_mask 64, signal 68,
// code 72, pad 76 zero, supported_mask 80; a 72-byte reply ends after
// coredump_signal, an 80-byte one after coredump_pad.
TEST_F(Coredump, FieldsAtFinalOffsets)
{
    Child c = CrashAndRelease(crash_by_raise);
    ASSERT_TRUE(c) << "crashed autoreap child released";
    const std::uint64_t ask = uapi::kInfoExit | uapi::kInfoCoredump | uapi::kInfoSupportedMask;
    RawInfo raw;
    ASSERT_EQ(raw.get(c.pidfd.get(), ask, uapi::kInfoSizeVer3), 0)
        << "PIDFD_GET_INFO (88 bytes): " << strerror(errno);
    const std::uint64_t mask = raw.u64(0);
    const std::uint64_t dumped = uapi::kInfoExit | uapi::kInfoCoredump | uapi::kInfoCoredumpSignal |
                                 uapi::kInfoCoredumpCode | uapi::kInfoSupportedMask;
    EXPECT_EQ(mask & dumped, dumped) << "mask 0x" << std::hex << mask;
    EXPECT_EQ(raw.u32(60), 0x8bU) << "exit_code at 60 (SIGSEGV, core dumped)";
    EXPECT_TRUE(raw.u32(64) & uapi::kCoredumped) << "coredump_mask at 64: 0x" << std::hex << raw.u32(64);
    EXPECT_EQ(raw.u32(68), static_cast<std::uint32_t>(SIGSEGV)) << "coredump_signal at 68";
    EXPECT_EQ(raw.u32(72), static_cast<std::uint32_t>(SI_TKILL)) << "coredump_code at 72 (raise())";
    EXPECT_EQ(raw.u32(76), 0U) << "coredump_pad at 76";
    EXPECT_EQ(raw.u64(80) & kKnownBits, kKnownBits) << "supported_mask at 80: 0x" << std::hex << raw.u64(80);

    ASSERT_EQ(raw.get(c.pidfd.get(), ask, uapi::kInfoSizeVer2), 0)
        << "PIDFD_GET_INFO (80 bytes): " << strerror(errno);
    EXPECT_EQ(raw.u32(72), static_cast<std::uint32_t>(SI_TKILL)) << "coredump_code at 72, 80-byte reply";
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer2)) << "bytes written past an 80-byte struct";

    ASSERT_EQ(raw.get(c.pidfd.get(), ask, uapi::kInfoSizeVer1), 0)
        << "PIDFD_GET_INFO (72 bytes): " << strerror(errno);
    EXPECT_EQ(raw.u32(68), static_cast<std::uint32_t>(SIGSEGV)) << "coredump_signal at 68, 72-byte reply";
    EXPECT_TRUE(raw.untouched(uapi::kInfoSizeVer1)) << "bytes written past a 72-byte struct";
}
