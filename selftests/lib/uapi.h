// SPDX-License-Identifier: GPL-2.0
// The uapi this suite tests, defined here because the build host's headers
// predate it. Values follow SPEC §1 and §5 (include/uapi/linux/sched.h and
// include/uapi/linux/pidfd.h of the series); layouts are checked below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <linux/ioctl.h>
#include <sched.h>

// --- clone flags -----------------------------------------------------------
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND (1ULL << 32)
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP (1ULL << 33)
#endif
#ifndef CLONE_AUTOREAP
#define CLONE_AUTOREAP (1ULL << 34)
#endif
#ifndef CLONE_NNP
#define CLONE_NNP (1ULL << 35)
#endif
#ifndef CLONE_PIDFD_AUTOKILL
#define CLONE_PIDFD_AUTOKILL (1ULL << 36)
#endif

// Old kernel-internal flag still rejected by clone3 (include/linux/sched.h).
#ifndef CLONE_DETACHED
#define CLONE_DETACHED 0x00400000
#endif

#ifndef CSIGNAL
#define CSIGNAL 0x000000ff
#endif

namespace uapi {

// struct clone_args, VER2 (88 bytes).
struct CloneArgs {
    std::uint64_t flags;
    std::uint64_t pidfd;
    std::uint64_t child_tid;
    std::uint64_t parent_tid;
    std::uint64_t exit_signal;
    std::uint64_t stack;
    std::uint64_t stack_size;
    std::uint64_t tls;
    std::uint64_t set_tid;
    std::uint64_t set_tid_size;
    std::uint64_t cgroup;
};
static_assert(sizeof(CloneArgs) == 88, "CLONE_ARGS_SIZE_VER2");

// --- pidfd_info (SPEC §5) ----------------------------------------------------
inline constexpr std::uint64_t kInfoPid = 1ULL << 0;
inline constexpr std::uint64_t kInfoCreds = 1ULL << 1;
inline constexpr std::uint64_t kInfoCgroupId = 1ULL << 2;
inline constexpr std::uint64_t kInfoExit = 1ULL << 3;
inline constexpr std::uint64_t kInfoCoredump = 1ULL << 4;
inline constexpr std::uint64_t kInfoSupportedMask = 1ULL << 5;
inline constexpr std::uint64_t kInfoCoredumpSignal = 1ULL << 6;
inline constexpr std::uint64_t kInfoCoredumpCode = 1ULL << 7;

inline constexpr std::size_t kInfoSizeVer0 = 64;
inline constexpr std::size_t kInfoSizeVer1 = 72;
inline constexpr std::size_t kInfoSizeVer2 = 80;
inline constexpr std::size_t kInfoSizeVer3 = 88;

// coredump_mask values.
inline constexpr std::uint32_t kCoredumped = 1U << 0;
inline constexpr std::uint32_t kCoredumpSkip = 1U << 1;
inline constexpr std::uint32_t kCoredumpUser = 1U << 2;
inline constexpr std::uint32_t kCoredumpRoot = 1U << 3;

struct PidfdInfo {
    std::uint64_t mask;
    std::uint64_t cgroupid;
    std::uint32_t pid;
    std::uint32_t tgid;
    std::uint32_t ppid;
    std::uint32_t ruid;
    std::uint32_t rgid;
    std::uint32_t euid;
    std::uint32_t egid;
    std::uint32_t suid;
    std::uint32_t sgid;
    std::uint32_t fsuid;
    std::uint32_t fsgid;
    std::int32_t exit_code;
    std::uint32_t coredump_mask;
    std::uint32_t coredump_signal;
    std::uint32_t coredump_code;
    std::uint32_t coredump_pad;
    std::uint64_t supported_mask;
};
static_assert(offsetof(PidfdInfo, cgroupid) == 8);
static_assert(offsetof(PidfdInfo, pid) == 16);
static_assert(offsetof(PidfdInfo, ppid) == 24);
static_assert(offsetof(PidfdInfo, exit_code) == 60);
static_assert(offsetof(PidfdInfo, coredump_mask) == 64);
static_assert(offsetof(PidfdInfo, coredump_signal) == 68);
static_assert(offsetof(PidfdInfo, coredump_code) == 72);
static_assert(offsetof(PidfdInfo, supported_mask) == 80);
static_assert(sizeof(PidfdInfo) == kInfoSizeVer3);

// PIDFD_GET_INFO is _IOWR(PIDFS_IOCTL_MAGIC, 11, struct pidfd_info): the
// size field carries the caller's struct size, so each version has a number.
inline constexpr unsigned kPidfsIoctlMagic = 0xFF;
constexpr unsigned long pidfd_get_info_cmd(std::size_t size)
{
    return _IOC(_IOC_READ | _IOC_WRITE, kPidfsIoctlMagic, 11, size);
}
inline constexpr unsigned long kPidfdGetInfo = pidfd_get_info_cmd(sizeof(PidfdInfo));

} // namespace uapi
