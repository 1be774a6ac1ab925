// SPDX-License-Identifier: GPL-2.0
// SCM_RIGHTS in one place: send one descriptor with a one-byte tag, receive
// whatever descriptors a message carries.
#pragma once

#include <vector>

namespace stress {

// Returns true when the message (and so a copy of fd) is in flight.
bool send_fd(int sock, int fd, char tag, bool nonblock = true);
// One message: its tag (0 when none came) and its descriptors (CLOEXEC).
struct Received {
    char tag = 0;
    std::vector<int> fds;
};
Received recv_fds(int sock, bool nonblock = true);

} // namespace stress
