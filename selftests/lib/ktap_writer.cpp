// SPDX-License-Identifier: GPL-2.0
#include "ktap_writer.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sstream>
#include <termios.h>
#include <unistd.h>

namespace {

// text and a newline, retried on EINTR and short writes.
void write_line(int fd, const std::string& text)
{
    std::string out = text + "\n";
    const char* p = out.data();
    std::size_t left = out.size();
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

KtapWriter::~KtapWriter()
{
    if (fd_ > 2)
        ::close(fd_);
}

bool KtapWriter::open(const std::string& path)
{
    to_stdout_ = path.empty() || path == "-" || path == "/dev/stdout";
    if (to_stdout_ || path == "/dev/stderr") {
        fd_ = ::fcntl(to_stdout_ ? 1 : 2, F_DUPFD_CLOEXEC, 3);
        return fd_ >= 0;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd_ < 0)
        return false;
    // A serial line: send the bytes as written, no "\n" -> "\r\n".
    struct termios tio;
    if (::tcgetattr(fd_, &tio) == 0) {
        tio.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(fd_, TCSANOW, &tio);
    }
    return true;
}

void KtapWriter::line(const std::string& text, bool result_line)
{
    // Whatever the program printed comes first.
    if (to_stdout_ || copy_results_)
        std::fflush(stdout);
    if (copy_results_ && result_line)
        write_line(1, text);
    write_line(fd_, text);
}

void KtapWriter::plan(int tests)
{
    number_ = 0;
    line("KTAP version 1", true);
    line("1.." + std::to_string(tests), true);
}

void KtapWriter::result(bool ok, const std::string& name, const std::string& skip)
{
    std::string text = std::string(ok ? "ok " : "not ok ") + std::to_string(++number_) + " " + name;
    if (!skip.empty())
        text += " # SKIP " + skip;
    line(text, true);
}

void KtapWriter::diag(const std::string& text)
{
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l))
        line("# " + l, false);
}
