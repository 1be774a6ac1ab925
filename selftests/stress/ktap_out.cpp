// SPDX-License-Identifier: GPL-2.0
#include "ktap_out.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sstream>
#include <termios.h>
#include <unistd.h>

namespace stress {
namespace {

void write_all(int fd, const std::string& s)
{
    const char* p = s.data();
    std::size_t left = s.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

} // namespace

bool KtapOut::open(const std::string& path)
{
    if (path.empty() || path == "-" || path == "/dev/stdout")
        return true;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd_ < 0)
        return false;
    // A serial line: the bytes as written, no "\n" -> "\r\n".
    struct termios tio;
    if (::tcgetattr(fd_, &tio) == 0) {
        tio.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(fd_, TCSANOW, &tio);
    }
    return true;
}

void KtapOut::line(const std::string& text, bool console)
{
    std::string out = text + "\n";
    std::fflush(stdout);
    if (console || fd_ < 0)
        write_all(1, out);
    if (fd_ >= 0)
        write_all(fd_, out);
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
