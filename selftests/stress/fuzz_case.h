// SPDX-License-Identifier: GPL-2.0
// One clone3() fuzz case (flag word, exit_signal, struct size and
// placement, set_tid_size) and the errno the kernel must answer:
// copy_clone_args_from_user()'s size, tail and field checks here, then
// selftests/clone_model for the flags, then what this kernel's
// configuration lacks (namespace types).
#pragma once

#include <cstdint>
#include <cstddef>
#include <random>
#include <string>

#include "clone_model.h"

namespace stress {

// Where the fuzzer stands: who calls, what this kernel can do.
struct FuzzEnv {
    model::Caller caller;
    bool series = true;              // the kernel has the three new flags
    std::uint64_t unsupported_ns = 0; // namespace flags this kernel rejects (EINVAL)
    std::uint64_t excluded = 0;      // flags never generated for this caller
    bool empty_mntns = false;        // a newer kernel's CLONE_EMPTY_MNTNS (bit 37)
    int cgroup_fd = -1;              // a cgroup2 directory for CLONE_INTO_CGROUP
};

enum class Placement {
    Aligned,   // at the start of a page
    Unaligned, // 1 to 7 bytes in
    Faulting,  // its last bytes on an unmapped page
};

struct FuzzCase {
    std::uint64_t flags = 0;
    std::uint64_t exit_signal = 0;
    std::size_t size = 88;           // the size argument of clone3()
    Placement placement = Placement::Aligned;
    std::size_t offset = 0;          // Unaligned: bytes into the page
    std::size_t fault_bytes = 0;     // Faulting: bytes on the unmapped page
    std::size_t nonzero_tail = 0;    // > 88: index of a non-zero byte, 0 = none
    std::uint64_t set_tid_size = 0;  // set_tid itself stays 0
};

FuzzCase random_case(std::mt19937_64& rng, const FuzzEnv& env);

// 0 (accepted), or the errno the kernel must return.
int expected_errno(const FuzzCase& c, const FuzzEnv& env);

// Upstream's CLONE_EMPTY_MNTNS (7.2 and later; not part of the series): a
// new, empty mount namespace, so CLONE_NEWNS as far as validation goes.
inline constexpr std::uint64_t kCloneEmptyMntns = 1ULL << 37;

std::string describe(const FuzzCase& c);
const char* errno_name(int err);

} // namespace stress
