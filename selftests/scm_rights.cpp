// SPDX-License-Identifier: GPL-2.0
#include "scm_rights.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>

namespace {

// One byte of data and room for one descriptor: the message both sides use.
struct FdMessage {
    char byte = 'f';
    struct iovec iov = {&byte, 1};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg = {};

    FdMessage()
    {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
    }
    FdMessage(const FdMessage&) = delete;
    FdMessage& operator=(const FdMessage&) = delete;
};

} // namespace

bool send_fd(int sock, int fd)
{
    FdMessage m;
    struct msghdr& msg = m.msg;
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t ret;
    do {
        ret = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (ret < 0 && errno == EINTR);
    return ret == 1;
}

UniqueFd recv_fd(int sock, int timeout_ms)
{
    if (!(poll_fd(sock, POLLIN, timeout_ms) & POLLIN))
        return UniqueFd();
    FdMessage m;
    struct msghdr& msg = m.msg;
    if (::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return UniqueFd();
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
        return UniqueFd();
    int fd;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return UniqueFd(fd);
}
