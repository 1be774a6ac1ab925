// SPDX-License-Identifier: GPL-2.0
// KTAP v1 output, for the suite's gtest listener and the stress program:
// the plan, numbered results ("ok N name", "not ok N name", "ok N name #
// SKIP why") and "# " diagnostics. Each line leaves with write(2) at once:
// nothing sits in a buffer if the VM dies.
#pragma once

#include <string>

class KtapWriter {
public:
    KtapWriter() = default;
    ~KtapWriter();
    KtapWriter(const KtapWriter&) = delete;
    KtapWriter& operator=(const KtapWriter&) = delete;

    // Where the lines go: "", "-" and "/dev/stdout" give a close-on-exec
    // copy of 1, "/dev/stderr" of 2; anything else (a file or a serial
    // port) is opened (created) for writing, and a terminal gets its
    // output post-processing switched off (the bytes as written). False
    // (errno set) on failure.
    bool open(const std::string& path);
    // Also copy the plan and the results (not the diagnostics) to stdout,
    // unless the lines go there anyway.
    void copy_results_to_stdout() { copy_results_ = !to_stdout_; }

    // "KTAP version 1" and "1..tests"; the numbering starts again.
    void plan(int tests);
    void result(bool ok, const std::string& name, const std::string& skip = "");
    // Every line of text, as "# line".
    void diag(const std::string& text);

private:
    void line(const std::string& text, bool result_line);

    int fd_ = -1;
    bool to_stdout_ = false;
    bool copy_results_ = false;
    int number_ = 0;
};
