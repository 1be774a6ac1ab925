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

bool probe(Feature f)
{
    switch (f) {
    case Feature::Autoreap:
        return probe_autoreap();
    case Feature::Nnp:
        return probe_nnp();
    case Feature::PidfdAutokill:
        return probe_autokill();
    case Feature::PidfdGetInfo:
        return probe_get_info();
    case Feature::PidfdInfoExit:
        return probe_info_exit();
    case Feature::PidfdInfoSupportedMask:
        return supported_mask().has_value();
    case Feature::PidfdInfoCoredumpCode: {
        std::optional<std::uint64_t> mask = supported_mask();
        return mask && (*mask & uapi::kInfoCoredumpCode);
    }
    case Feature::PidfsFileHandles:
        return probe_file_handles();
    case Feature::BpfTracing:
        return g_bpf_probe && g_bpf_probe();
    }
    return false;
}

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
    static std::optional<bool> cache[static_cast<int>(Feature::BpfTracing) + 1];
    std::optional<bool>& slot = cache[static_cast<int>(f)];
    if (!slot)
        slot = probe(f);
    return *slot;
}

const char* name(Feature f)
{
    switch (f) {
    case Feature::Autoreap:
        return "CLONE_AUTOREAP";
    case Feature::Nnp:
        return "CLONE_NNP";
    case Feature::PidfdAutokill:
        return "CLONE_PIDFD_AUTOKILL";
    case Feature::PidfdGetInfo:
        return "PIDFD_GET_INFO";
    case Feature::PidfdInfoExit:
        return "PIDFD_INFO_EXIT";
    case Feature::PidfdInfoSupportedMask:
        return "PIDFD_INFO_SUPPORTED_MASK";
    case Feature::PidfdInfoCoredumpCode:
        return "PIDFD_INFO_COREDUMP_CODE";
    case Feature::PidfsFileHandles:
        return "pidfs file handles";
    case Feature::BpfTracing:
        return "BPF tracepoint support";
    }
    return "?";
}

void set_bpf_probe(bool (*probe_fn)()) { g_bpf_probe = probe_fn; }

std::string probe_all()
{
    std::string out;
    for (int i = 0; i < static_cast<int>(Feature::BpfTracing); ++i) {
        Feature f = static_cast<Feature>(i);
        out += std::string(out.empty() ? "" : ", ") + name(f) + (has(f) ? " 1" : " 0");
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
