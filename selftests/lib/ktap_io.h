// SPDX-License-Identifier: GPL-2.0
// Where KTAP goes, for the suite's listener and the stress program: a file
// or a serial port (raw: the bytes as written), or the process's own
// stdout/stderr. Lines leave with write(2) at once: nothing sits in a
// buffer if the VM dies.
#pragma once

#include <string>

// "-" and "/dev/stdout" give a close-on-exec copy of 1, "/dev/stderr" of
// 2; anything else is opened (created) for writing, and output
// post-processing is switched off when it is a terminal. -1 (errno set) on
// failure.
int ktap_open(const std::string& path);

// text and a newline, retried on EINTR and short writes.
void ktap_write_line(int fd, const std::string& text);
