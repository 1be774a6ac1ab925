// SPDX-License-Identifier: GPL-2.0
// Feature probes: each runs once, positively (a flag counts as present only
// when the kernel accepted it and the child ran), and is cached; children
// forked afterwards inherit the cache. The suite's REQUIRE_FEATURE
// (require_feature.h) and the stress program's sections ask here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace features {

enum class Feature {
    Autoreap,              // clone3 CLONE_AUTOREAP
    Nnp,                   // clone3 CLONE_NNP
    PidfdAutokill,         // clone3 CLONE_PIDFD_AUTOKILL
    PidfdGetInfo,          // ioctl PIDFD_GET_INFO
    PidfdInfoExit,         // PIDFD_INFO_EXIT after the child was reaped
    PidfdInfoSupportedMask,// PIDFD_INFO_SUPPORTED_MASK answered
    PidfdInfoCoredumpCode, // PIDFD_INFO_COREDUMP_CODE in supported_mask
    PidfsFileHandles,      // name_to_handle_at/open_by_handle_at on pidfds
    BpfTracing,            // lifecycle.bpf.c loads and attaches (bpf/)
};

bool has(Feature f);
const char* name(Feature f);

// The probe of BpfTracing needs the suite's BPF loader, which the library
// does not link: the suite installs it (before the first has()); without
// it, BpfTracing is missing.
void set_bpf_probe(bool (*probe)());

// supported_mask of PIDFD_GET_INFO (asked once), nullopt when the kernel
// does not answer PIDFD_INFO_SUPPORTED_MASK.
std::optional<std::uint64_t> supported_mask();

// Runs every probe now (not BpfTracing), so that processes forked later
// never probe; "CLONE_AUTOREAP 1, CLONE_NNP 1, ..., supported_mask 0x..".
std::string probe_all();

// --require-features: a missing feature fails the test instead of skipping.
void set_required(bool required);
bool required();

} // namespace features
