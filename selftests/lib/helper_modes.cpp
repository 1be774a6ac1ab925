// SPDX-License-Identifier: GPL-2.0
#include "helper_modes.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unique_fd.h"

namespace {

int core_sink()
{
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(0, buf, sizeof(buf));
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return 1;
    }
}

int become_root()
{
    if (::geteuid() == 0) {
        ::setresgid(0, 0, 0);
        ::setresuid(0, 0, 0);
    }
    uid_t r, e, s;
    ::getresuid(&r, &e, &s);
    char line[64];
    int n = std::snprintf(line, sizeof(line), "%u %u\n", r, e);
    if (::write(3, line, static_cast<std::size_t>(n)) != n)
        return 1;
    char b;
    while (::read(3, &b, 1) > 0) {
    }
    return 0;
}

} // namespace

std::optional<int> run_helper_mode(int argc, char** argv)
{
    if (argc < 2)
        return std::nullopt;
    std::string_view arg = argv[1];
    constexpr std::string_view prefix = "--helper=";
    if (arg.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    std::string_view mode = arg.substr(prefix.size());
    if (mode == "nnp-status")
        return ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (mode == "euid")
        return ::geteuid() == 0 ? 0 : 1;
    if (mode == "core-sink")
        return core_sink();
    if (mode == "eof-exit")
        return core_sink() == 0 && argc > 2 ? std::atoi(argv[2]) : 126;
    if (mode == "become-root")
        return become_root();
    return 127;
}

bool make_setuid_copy(const std::string& path)
{
    UniqueFd in(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    ::unlink(path.c_str());
    UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700));
    struct stat st;
    if (!in || !out || ::fstat(in.get(), &st) != 0)
        return false;
    off_t off = 0;
    while (off < st.st_size)
        if (::sendfile(out.get(), in.get(), &off, static_cast<std::size_t>(st.st_size - off)) <= 0)
            return false;
    return ::fchown(out.get(), 0, 0) == 0 && ::fchmod(out.get(), 04755) == 0;
}
