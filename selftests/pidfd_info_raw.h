// SPDX-License-Identifier: GPL-2.0
// PIDFD_GET_INFO into raw bytes, for tests of where the kernel puts each
// field (SPEC §5 offsets), independent of uapi.h's struct: the buffer is
// filled with kFill first, so bytes the kernel did not write show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sys.h"
#include "uapi.h"

struct RawInfo {
    static constexpr unsigned char kFill = 0xa5;
    alignas(8) unsigned char bytes[128];

    // The ioctl with a struct of size bytes (the ioctl number carries it),
    // mask at offset 0; returns its result, errno kept.
    int get(int pidfd, std::uint64_t mask, std::size_t size)
    {
        std::memset(bytes, kFill, sizeof(bytes));
        std::memcpy(bytes, &mask, sizeof(mask));
        return sys::pidfd_get_info(pidfd, reinterpret_cast<uapi::PidfdInfo*>(bytes), size);
    }

    std::uint32_t u32(std::size_t off) const
    {
        std::uint32_t v;
        std::memcpy(&v, bytes + off, sizeof(v));
        return v;
    }

    std::uint64_t u64(std::size_t off) const
    {
        std::uint64_t v;
        std::memcpy(&v, bytes + off, sizeof(v));
        return v;
    }

    // Bytes [from, to) still hold kFill: the kernel wrote nothing there.
    bool untouched(std::size_t from, std::size_t to = sizeof(bytes)) const
    {
        for (std::size_t i = from; i < to; ++i)
            if (bytes[i] != kFill)
                return false;
        return true;
    }
};
