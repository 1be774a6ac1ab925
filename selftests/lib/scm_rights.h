// SPDX-License-Identifier: GPL-2.0
// Passing descriptors over a unix socket (SCM_RIGHTS), for the suite and
// the stress program. Between send and receive the copy is "in flight": it
// holds a reference to the file while it waits in the receiver's queue.
#pragma once

#include <vector>

#include "child.h"
#include "unique_fd.h"

// Send fd with a one-byte tag; true when the message, and so a copy of
// fd, is in flight. nonblock: MSG_DONTWAIT (a full queue fails at once).
bool send_fd(int sock, int fd, char tag = 'f', bool nonblock = false);

// One message: its tag (0 when none came) and every descriptor it carried
// (close-on-exec; the caller owns them).
struct ReceivedFds {
    char tag = 0;
    std::vector<int> fds;
};
ReceivedFds recv_fds(int sock, bool nonblock = false);

// Receive one message with one descriptor within the timeout.
UniqueFd recv_fd(int sock, int timeout_ms = kTimeoutMs);
