// SPDX-License-Identifier: GPL-2.0
// KTAP v1 for the verdict machinery: the plan, "ok N name" / "not ok N
// name" / "ok N name # SKIP why", and "# ..." diagnostics; each line one
// write(2) to the --ktap file. The plan and results are copied to stdout
// (in the VM the console, so that a splat in console.log can be placed
// between two sections); diagnostics are not, since their text (a kmemleak
// report, a failure message) could look like a splat there.
#pragma once

#include <string>

namespace stress {

class KtapOut {
public:
    // path "" or "-": stdout only.
    bool open(const std::string& path);
    void plan(int n);
    void result(bool ok, const std::string& name, const std::string& skip = "");
    void diag(const std::string& text);

private:
    void line(const std::string& text, bool console);
    int fd_ = -1;
    int number_ = 0;
};

} // namespace stress
