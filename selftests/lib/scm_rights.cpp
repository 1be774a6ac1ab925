// SPDX-License-Identifier: GPL-2.0
#include "scm_rights.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr std::size_t kMaxFds = 8;

// One byte of data and room for kMaxFds descriptors.
struct FdMessage {
    char byte = 0;
    struct iovec iov = {&byte, 1};
    alignas(struct cmsghdr) char control[CMSG_SPACE(kMaxFds * sizeof(int))] = {};
    struct msghdr msg = {};

    explicit FdMessage(std::size_t fds)
    {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(fds * sizeof(int));
    }
    FdMessage(const FdMessage&) = delete;
    FdMessage& operator=(const FdMessage&) = delete;
};

} // namespace

bool send_fd(int sock, int fd, char tag, bool nonblock)
{
    FdMessage m(1);
    m.byte = tag;
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&m.msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t ret;
    do {
        ret = ::sendmsg(sock, &m.msg, MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
    } while (ret < 0 && errno == EINTR && !nonblock);
    return ret == 1;
}

ReceivedFds recv_fds(int sock, bool nonblock)
{
    ReceivedFds out;
    FdMessage m(kMaxFds);
    if (::recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC | (nonblock ? MSG_DONTWAIT : 0)) != 1)
        return out;
    out.tag = m.byte;
    for (struct cmsghdr* cm = CMSG_FIRSTHDR(&m.msg); cm; cm = CMSG_NXTHDR(&m.msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        std::size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            out.fds.push_back(fd);
        }
    }
    return out;
}

UniqueFd recv_fd(int sock, int timeout_ms)
{
    if (!(poll_fd(sock, POLLIN, timeout_ms) & POLLIN))
        return UniqueFd();
    ReceivedFds m = recv_fds(sock, true);
    if (m.fds.empty())
        return UniqueFd();
    for (std::size_t i = 1; i < m.fds.size(); ++i)
        ::close(m.fds[i]);
    return UniqueFd(m.fds[0]);
}
