// SPDX-License-Identifier: GPL-2.0
#include "ktap_io.h"

#include <cerrno>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

int ktap_open(const std::string& path)
{
    if (path == "-" || path == "/dev/stdout")
        return ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (path == "/dev/stderr")
        return ::fcntl(2, F_DUPFD_CLOEXEC, 3);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return -1;
    // A serial line: send the bytes as written, no "\n" -> "\r\n".
    struct termios tio;
    if (::tcgetattr(fd, &tio) == 0) {
        tio.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(fd, TCSANOW, &tio);
    }
    return fd;
}

void ktap_write_line(int fd, const std::string& text)
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
