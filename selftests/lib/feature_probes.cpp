// SPDX-License-Identifier: GPL-2.0
#include "feature_probes.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "sys.h"
#include "uapi.h"

namespace features {
namespace {

bool g_required = false;
bool (*g_bpf_probe)() = nullptr;

// An autoreap child that exits at once: accepted and gone (POLLHUP).
bool probe_autoreap()
{
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 0; });
    return c && wait_pollhup(c.pidfd.get());
}

bool probe_nnp()
{
    Child c = spawn(CLONE_NNP | CLONE_PIDFD, SIGCHLD, [] { return 0; });
    if (!c)
        return false;
    std::optional<int> status = wait_child(c.pid, c.pidfd.get());
    return status.has_value();
}

bool probe_autokill()
{
    if (!probe_autoreap())
        return false;
    std::uint64_t flags = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;
    if (::geteuid() != 0)
        flags |= CLONE_NNP;
    Child c = spawn(flags, 0, [] { return 0; });
    return c && wait_pollhup(c.pidfd.get());
}

bool probe_get_info()
{
    UniqueFd self(sys::pidfd_open(::getpid()));
    if (!self)
        return false;
    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoPid);
    return info && (info->mask & uapi::kInfoPid) &&
           info->pid == static_cast<std::uint32_t>(::getpid());
}

bool probe_info_exit()
{
    if (!probe_get_info())
        return false;
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 7; });
    if (!c || !wait_child(c.pid, c.pidfd.get()))
        return false;
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    return info && (info->mask & uapi::kInfoExit);
}

// A handle for our own pidfd opens back into a pidfd.
bool probe_file_handles()
{
    UniqueFd self(sys::pidfd_open(::getpid()));
    alignas(struct file_handle) unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
    auto* fh = reinterpret_cast<struct file_handle*>(bytes);
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (!self || ::name_to_handle_at(self.get(), "", fh, &mount_id, AT_EMPTY_PATH) != 0)
        return false;
    UniqueFd again(::open_by_handle_at(self.get(), fh, O_CLOEXEC));
    return again.valid();
}

bool probe_supported_mask() { return supported_mask().has_value(); }

bool probe_coredump_code()
{
    std::optional<std::uint64_t> mask = supported_mask();
    return mask && (*mask & uapi::kInfoCoredumpCode);
}

bool probe_bpf_tracing() { return g_bpf_probe && g_bpf_probe(); }

struct Entry {
    Feature feature;
    const char* name; // in "kernel lacks NAME"
    bool (*probe)();
};

// In the order of enum Feature.
constexpr Entry kFeatures[] = {
    {Feature::Autoreap, "CLONE_AUTOREAP", probe_autoreap},
    {Feature::Nnp, "CLONE_NNP", probe_nnp},
    {Feature::PidfdAutokill, "CLONE_PIDFD_AUTOKILL", probe_autokill},
    {Feature::PidfdGetInfo, "PIDFD_GET_INFO", probe_get_info},
    {Feature::PidfdInfoExit, "PIDFD_INFO_EXIT", probe_info_exit},
    {Feature::PidfdInfoSupportedMask, "PIDFD_INFO_SUPPORTED_MASK", probe_supported_mask},
    {Feature::PidfdInfoCoredumpCode, "PIDFD_INFO_COREDUMP_CODE", probe_coredump_code},
    {Feature::PidfsFileHandles, "pidfs file handles", probe_file_handles},
    {Feature::BpfTracing, "BPF tracepoint support", probe_bpf_tracing},
};
constexpr int kCount = sizeof(kFeatures) / sizeof(kFeatures[0]);
static_assert(kFeatures[kCount - 1].feature == Feature::BpfTracing, "one entry per feature, in order");

const Entry& entry(Feature f) { return kFeatures[static_cast<int>(f)]; }

} // namespace

std::optional<std::uint64_t> supported_mask()
{
    static const std::optional<std::uint64_t> mask = []() -> std::optional<std::uint64_t> {
        if (!probe_get_info())
            return std::nullopt;
        UniqueFd self(sys::pidfd_open(::getpid()));
        std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoSupportedMask);
        if (!info || !(info->mask & uapi::kInfoSupportedMask))
            return std::nullopt;
        return info->supported_mask;
    }();
    return mask;
}

bool has(Feature f)
{
    static std::optional<bool> cache[kCount];
    std::optional<bool>& slot = cache[static_cast<int>(f)];
    if (!slot)
        slot = entry(f).probe();
    return *slot;
}

const char* name(Feature f) { return entry(f).name; }

void set_bpf_probe(bool (*probe_fn)()) { g_bpf_probe = probe_fn; }

std::string probe_all()
{
    std::string out;
    for (const Entry& e : kFeatures) {
        if (e.feature != Feature::BpfTracing)
            out += std::string(out.empty() ? "" : ", ") + e.name + (has(e.feature) ? " 1" : " 0");
    }
    std::optional<std::uint64_t> mask = supported_mask();
    char buf[48];
    std::snprintf(buf, sizeof(buf), ", supported_mask %s0x%llx", mask ? "" : "unknown ",
                  static_cast<unsigned long long>(mask.value_or(0)));
    return out + buf;
}

void set_required(bool req) { g_required = req; }
bool required() { return g_required; }

} // namespace features
