// SPDX-License-Identifier: GPL-2.0
// The binary doubles as its own exec target: "--helper=MODE" as argv[1]
// runs a tiny program instead of the tests (no gtest involved).
//   nnp-status  exit with prctl(PR_GET_NO_NEW_PRIVS) (0 or 1)
//   euid        exit 0 if the effective uid is root, else 1
//   core-sink   read stdin to EOF and exit 0 (a core_pattern pipe helper)
//   eof-exit N  read stdin to EOF and exit N (an exec target that runs
//               until the test closes the other end of its stdin)
//   become-root (exec'd through a setuid-root copy) if the effective uid
//               is 0, make every uid and gid 0; write "ruid euid\n" to
//               fd 3, then wait until fd 3 reaches EOF and exit 0
// clone3_stress shares them (its own main calls run_helper_mode too).
#pragma once

#include <optional>
#include <string>

// Returns the exit code if argv names a helper mode, nullopt otherwise.
std::optional<int> run_helper_mode(int argc, char** argv);

// Copy this binary to path as a root-owned setuid executable.
bool make_setuid_copy(const std::string& path);
