// SPDX-License-Identifier: GPL-2.0
#include "ktap_out.h"

#include <cstdio>
#include <sstream>

#include "ktap_io.h"

namespace stress {

bool KtapOut::open(const std::string& path)
{
    if (path.empty() || path == "-" || path == "/dev/stdout")
        return true;
    fd_ = ktap_open(path);
    return fd_ >= 0;
}

void KtapOut::line(const std::string& text, bool console)
{
    std::fflush(stdout);
    if (console || fd_ < 0)
        ktap_write_line(1, text);
    if (fd_ >= 0)
        ktap_write_line(fd_, text);
}

void KtapOut::plan(int n)
{
    line("KTAP version 1", true);
    line("1.." + std::to_string(n), true);
}

void KtapOut::result(bool ok, const std::string& name, const std::string& skip)
{
    ++number_;
    std::string text = std::string(ok ? "ok " : "not ok ") + std::to_string(number_) + " " + name;
    if (!skip.empty())
        text += " # SKIP " + skip;
    line(text, true);
}

void KtapOut::diag(const std::string& text)
{
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l))
        line("# " + l, false);
}

} // namespace stress
