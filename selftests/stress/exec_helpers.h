// SPDX-License-Identifier: GPL-2.0
// clone3_stress doubles as its own exec target: "--helper=MODE" as argv[1]
// runs a tiny program instead of the stress run.
//   become-root  (exec'd through a setuid-root copy) if the effective uid
//                is 0, make every uid and gid 0; write "ruid euid\n" to
//                fd 3, then wait until fd 3 reaches EOF and exit 0.
#pragma once

#include <optional>
#include <string>

namespace stress {

std::optional<int> run_exec_helper(int argc, char** argv);

// Copy this binary to path as a root-owned setuid executable.
bool make_setuid_copy(const std::string& path);

} // namespace stress
