// SPDX-License-Identifier: GPL-2.0
#include "kernel_features.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "sys.h"
#include "uapi.h"

namespace stress {
namespace {

bool autoreap_exits()
{
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 0; });
    return c && wait_pollhup(c.pidfd.get());
}

bool nnp_runs()
{
    Child c = spawn(CLONE_NNP | CLONE_PIDFD, SIGCHLD, [] { return 0; });
    return c && wait_child(c.pid, c.pidfd.get()).has_value();
}

bool autokill_runs(bool admin)
{
    std::uint64_t flags = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL | (admin ? 0 : CLONE_NNP);
    Child c = spawn(flags, 0, [] { return 0; });
    return c && wait_pollhup(c.pidfd.get());
}

bool get_info_works()
{
    UniqueFd self(sys::pidfd_open(::getpid()));
    if (!self)
        return false;
    std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoPid);
    return info && (info->mask & uapi::kInfoPid) && info->pid == static_cast<std::uint32_t>(::getpid());
}

bool info_exit_works()
{
    Child c = spawn(CLONE_PIDFD, SIGCHLD, [] { return 7; });
    if (!c || !wait_child(c.pid, c.pidfd.get()))
        return false;
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    return info && (info->mask & uapi::kInfoExit) && info->exit_code == (7 << 8);
}

} // namespace

Features probe_features()
{
    Features f;
    f.cap_sys_admin = have_cap_sys_admin();
    f.autoreap = autoreap_exits();
    f.nnp = nnp_runs();
    f.autokill = f.autoreap && autokill_runs(f.cap_sys_admin);
    f.get_info = get_info_works();
    f.info_exit = f.get_info && info_exit_works();
    if (f.get_info) {
        UniqueFd self(sys::pidfd_open(::getpid()));
        std::optional<uapi::PidfdInfo> info = pidfd_info(self.get(), uapi::kInfoSupportedMask);
        if (info && (info->mask & uapi::kInfoSupportedMask)) {
            f.supported_mask_known = true;
            f.supported_mask = info->supported_mask;
        }
    }
    return f;
}

std::string describe(const Features& f)
{
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "autoreap %d, nnp %d, autokill %d, pidfd_get_info %d, info_exit %d, "
                  "supported_mask %s0x%llx, cap_sys_admin %d",
                  f.autoreap, f.nnp, f.autokill, f.get_info, f.info_exit,
                  f.supported_mask_known ? "" : "unknown ",
                  static_cast<unsigned long long>(f.supported_mask), f.cap_sys_admin);
    return buf;
}

} // namespace stress
