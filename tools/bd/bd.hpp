// SPDX-License-Identifier: Apache-2.0
// bd: an encrypted in-memory block device (AES-XTS, sector number as tweak) on the native API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/acrypto.h"

namespace acrypto::tools::bd {

/// Disk geometry and cipher.
struct DiskOptions {
    uint64_t sectors = 2048;    ///< number of sectors
    uint32_t sector_size = 512; ///< 512 or 4096 bytes
    uint32_t key_bits = 256;    ///< AES-XTS-128 (32-byte key) or AES-XTS-256 (64-byte key)
    uint32_t priority = 3;      ///< session priority
    std::string device;         ///< bind every session to this device ("" = any)
};

/// Direction of a request.
enum class Dir { Read, Write };

/// Called once when every sector of a request completed (scheduler thread or
/// caller's thread). Must not block and must not call Disk::release().
using RequestDoneFn = void (*)(void *arg, struct Request *req, int status);

/// An in-flight request: one native session per sector.
struct Request {
    Dir dir = Dir::Read;
    uint64_t lba = 0;
    uint32_t count = 0;
    std::vector<acrypto_session_handle *> sessions;
    RequestDoneFn done = nullptr;
    void *arg = nullptr;
    int status = ACRYPTO_OK; ///< first failure, valid after completion
    uint32_t remaining = 0;  ///< sectors not yet completed (atomic access)
    void *user = nullptr;    ///< free for the caller
};

/// The 16-byte XTS tweak of a sector: its number, little-endian (IEEE 1619 data unit number).
void sector_tweak(uint64_t lba, uint8_t tweak[16]);

/// An AES-XTS encrypted in-memory disk. Thread-safe for requests on distinct sectors.
class Disk {
  public:
    /// A disk over `ctx` (not owned, must outlive the disk) with the XTS `key`
    /// (key_bits / 4 bytes: both halves). Null with `error` on bad options.
    static std::unique_ptr<Disk> create(acrypto_ctx *ctx, const DiskOptions &opts,
                                        const uint8_t *key, std::string &error);
    ~Disk();
    Disk(const Disk &) = delete;
    Disk &operator=(const Disk &) = delete;

    /**
     * Start a request of `count` sectors from `lba`. Write: `buf` is plaintext
     * (copied at submit). Read: plaintext lands in `buf` at completion. Returns a
     * request to hand to wait()/release(), or null with `*status`:
     * ACRYPTO_E_BUSY (nothing queued: wait for an earlier request and retry),
     * ACRYPTO_E_INVALID (range), or a submit error. May block briefly when a
     * device queue fills in the middle of a request. Not from a callback.
     */
    Request *submit(Dir dir, uint64_t lba, uint32_t count, uint8_t *buf, RequestDoneFn done,
                    void *arg, int *status);
    /// Block until `req` completed; returns its status. Not from a callback.
    int wait(Request *req);
    /// Free a completed (or waited) request. Not from a callback.
    void release(Request *req);

    /// Synchronous write/read: submit + wait + release.
    int write(uint64_t lba, uint32_t count, const uint8_t *plain);
    int read(uint64_t lba, uint32_t count, uint8_t *plain);

    /// Ciphertext of sector `lba` as stored.
    const uint8_t *raw(uint64_t lba) const { return store_.data() + lba * opts_.sector_size; }
    uint64_t sectors() const noexcept { return opts_.sectors; }
    uint32_t sector_size() const noexcept { return opts_.sector_size; }

  private:
    Disk() = default;
    acrypto_ctx *ctx_ = nullptr;
    acrypto_key_handle *key_ = nullptr;
    DiskOptions opts_;
    std::vector<uint8_t> store_;
};

} // namespace acrypto::tools::bd
