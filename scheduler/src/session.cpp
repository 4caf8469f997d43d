// SPDX-License-Identifier: Apache-2.0
// Session: pooled allocation, session-owned arena, futex completion wait.
#include "acrypto/sched/session.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <new>

#include "acrypto/sched/late_exit_key.hpp"
#include "session_access.hpp"

namespace acrypto::sched {
namespace {

constexpr size_t kArenaAlign = 64;
/// Sessions kept per thread before a batch spills to the shared pool.
constexpr uint32_t kLocalPoolMax = 256;
/// Sessions moved between a thread cache and the shared pool at once, so the
/// shared lock is taken once per kBatch allocations even when sessions are made
/// on one thread and freed on another.
constexpr uint32_t kBatch = 64;
/// Session ids handed to a thread at a time (keeps the shared counter off the hot path).
constexpr uint64_t kIdBlock = 1024;

void futex_wait(std::atomic<uint32_t> *addr, uint32_t expected, const timespec *ts) noexcept {
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr), FUTEX_WAIT_PRIVATE, expected, ts,
            nullptr, 0);
}

void futex_wake_all(std::atomic<uint32_t> *addr) noexcept {
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
            nullptr, 0);
}

/// Overflow arena chunk header; payload follows at kArenaAlign.
struct ArenaChunk {
    ArenaChunk *next;
    size_t size;
};

size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

/// Shared pool: sessions freed by threads whose local cache is full, or that exit.
/// Never destroyed, so a session's memory stays valid for the life of the process
/// (a late completion for a recycled session reads valid memory and is refused).
/// Batches are chains through SessionSched::next; batch heads are linked
/// through SessionSched::prev and carry the chain length in `retries`.
struct SharedPool {
    std::mutex mu;
    Session *batches = nullptr;
};

/// The pool is a constant-initialised global (no function-local static): a
/// lazily made pool had a one-time initialisation guard that fork() could copy
/// held (a thread making its first session while another forks), and the child
/// then waited on it for ever.
constinit SharedPool g_shared_pool;

// fork(): another thread may hold the pool lock at the moment of the fork; the
// child (one thread) would then deadlock on its first Session::make.
void pool_prefork() { g_shared_pool.mu.lock(); }
void pool_postfork_parent() { g_shared_pool.mu.unlock(); }
// The child's only thread is the one that took the lock in pool_prefork: it unlocks it.
void pool_postfork_child() { g_shared_pool.mu.unlock(); }

/// Registers the fork handlers when the library is loaded, before any thread of
/// its own exists (glibc drops them again if a module holding this is unloaded).
struct PoolForkHandlers {
    PoolForkHandlers() { pthread_atfork(pool_prefork, pool_postfork_parent, pool_postfork_child); }
};
const PoolForkHandlers g_pool_fork_handlers;

SharedPool &shared_pool() { return g_shared_pool; }

std::atomic<uint64_t> g_next_id_block{1};

/// Sessions made at once when no pooled one is left (the rest go to the pool).
constexpr uint32_t kChunkSessions = 32;

/// A block of sessions allocated together. Blocks are never freed and are listed
/// in g_chunks (push-only, lock-free, so fork() cannot leave it locked): shutdown
/// finds the sessions a closed device still holds by scanning them, which keeps
/// an in-flight list (and its lock) off the dequeue and completion paths.
struct SessionChunk {
    Session *base;
    uint32_t n;
    SessionChunk *next;
};
std::atomic<SessionChunk *> g_chunks{nullptr};

} // namespace

namespace detail {

/// Per-thread session cache, handed to the shared pool when the thread exits.
struct LocalPool {
    Session *head = nullptr;
    uint32_t count = 0;
    ~LocalPool();
};

/// Per-thread block of session ids (no destructor: usable until the thread is gone).
struct IdBlock {
    uint64_t next_id = 0;
    uint64_t id_limit = 0;
};

void SessionAccess::for_each(void (*fn)(Session &, void *), void *arg) {
    for (SessionChunk *ch = g_chunks.load(std::memory_order_acquire); ch; ch = ch->next)
        for (uint32_t i = 0; i < ch->n; ++i) fn(ch->base[i], arg);
}

std::ptrdiff_t SessionAccess::c_offset() noexcept {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    return static_cast<std::ptrdiff_t>(offsetof(Session, c_));
#pragma GCC diagnostic pop
}

} // namespace detail

namespace {
thread_local detail::LocalPool t_pool;
/// Set when this thread's pool is destroyed (thread exit): sessions made and freed later,
/// by pthread-key destructors (OpenSSL's thread-stop handlers among them) that glibc runs
/// after C++ thread-local destructors, go straight to and from the shared pool. A separate
/// variable: stores to the pool's own members in its destructor may be dropped (the object's
/// lifetime ends there; GCC's -flifetime-dse).
thread_local bool t_pool_dead = false;
thread_local detail::IdBlock t_ids;

uint64_t next_session_id() noexcept {
    auto &ib = t_ids;
    if (ib.next_id == ib.id_limit) {
        ib.next_id = g_next_id_block.fetch_add(kIdBlock, std::memory_order_relaxed);
        ib.id_limit = ib.next_id + kIdBlock;
    }
    return ib.next_id++;
}
} // namespace

namespace {

detail::SessionSched &links(Session *s) noexcept { return detail::SessionAccess::sched(*s); }

/// Hand a chain of `n` sessions to the shared pool (one lock).
void push_batch(Session *head, uint32_t n) {
    if (!head) return;
    auto &sp = shared_pool();
    links(head).retries = n;
    std::lock_guard lk(sp.mu);
    links(head).prev = sp.batches;
    sp.batches = head;
}

/// Take one batch from the shared pool (one lock); null when empty.
Session *pop_batch(uint32_t *n) {
    auto &sp = shared_pool();
    Session *b;
    {
        std::lock_guard lk(sp.mu);
        b = sp.batches;
        if (!b) return nullptr;
        sp.batches = links(b).prev;
    }
    *n = links(b).retries;
    links(b).prev = nullptr;
    links(b).retries = 0;
    return b;
}

/// Hand this thread's cached sessions to the shared pool; later ones go there directly.
void retire_pool(void *) noexcept {
    detail::LocalPool &lp = t_pool;
    push_batch(lp.head, lp.count);
    lp.head = nullptr;
    lp.count = 0;
    t_pool_dead = true;
}

/// Retires the pool of a thread that first used it after its thread-local destructors ran.
const LateExitKey &pool_key() noexcept {
    static const LateExitKey key(retire_pool);
    return key;
}
} // namespace

detail::LocalPool::~LocalPool() {
    pool_key().disarm();
    retire_pool(this);
}

Ref<Session> Session::make(uint32_t nsteps, size_t arena_bytes) {
    if (nsteps < 1) nsteps = 1;
    if (nsteps > ACRYPTO_MAX_STEPS) nsteps = ACRYPTO_MAX_STEPS;
    Session *s = nullptr;
    auto &lp = t_pool;
    const bool dead = t_pool_dead;
    if (!dead && !lp.head) {
        pool_key().arm(&lp);
        lp.head = pop_batch(&lp.count);
    }
    if (!dead && lp.head) {
        s = lp.head;
        lp.head = s->sched_.next;
        --lp.count;
    } else {
        uint32_t n = 0;
        s = pop_batch(&n); // exiting thread: take one, give the rest back
        if (s && n > 1) push_batch(s->sched_.next, n - 1);
    }
    if (!s) {
        // A fresh block: hand out the first, pool the rest.
        Session *block = new Session[kChunkSessions];
        auto *chunk = new SessionChunk{block, kChunkSessions, nullptr};
        chunk->next = g_chunks.load(std::memory_order_relaxed);
        while (!g_chunks.compare_exchange_weak(chunk->next, chunk, std::memory_order_release,
                                               std::memory_order_relaxed)) {}
        for (uint32_t i = 1; i + 1 < kChunkSessions; ++i) block[i].sched_.next = &block[i + 1];
        block[kChunkSessions - 1].sched_.next = nullptr;
        if (!dead) {
            block[kChunkSessions - 1].sched_.next = lp.head;
            lp.head = &block[1];
            lp.count += kChunkSessions - 1;
        } else {
            push_batch(&block[1], kChunkSessions - 1);
        }
        s = block;
    }
    s->sched_.next = nullptr;
    s->refs_.store(1, std::memory_order_relaxed);
    if (arena_bytes > s->arena_cap_) {
        std::free(s->arena_);
        size_t cap = round_up(arena_bytes, kArenaAlign);
        s->arena_ = static_cast<uint8_t *>(std::aligned_alloc(kArenaAlign, cap));
        s->arena_cap_ = s->arena_ ? cap : 0;
    }
    s->c_.struct_size = sizeof(acrypto_session);
    s->c_.nsteps = nsteps;
    s->c_.steps = s->steps_;
    s->c_.id = next_session_id();
    return Ref<Session>::adopt(s);
}

void Session::destroy(Session *s) noexcept {
    // Wipe what the caller put in the session: keys (refs), IVs, states, buffers.
    for (auto &k : s->keys_) k.reset();
    // Only what was used: the steps of the route (callers touch no others) and the
    // hand-over snapshots of a session that was queued.
    const uint32_t used =
        s->c_.nsteps < 1 ? 1
                         : (s->c_.nsteps > ACRYPTO_MAX_STEPS ? ACRYPTO_MAX_STEPS : s->c_.nsteps);
    explicit_bzero(s->steps_, used * sizeof(acrypto_step));
    if (s->sched_.dev != UINT32_MAX) explicit_bzero(s->sched_.snap, sizeof(s->sched_.snap));
    if (s->arena_used_ && !s->arena_public_) explicit_bzero(s->arena_, s->arena_used_);
    for (void *p = s->sched_.arena_more; p;) {
        auto *ch = static_cast<ArenaChunk *>(p);
        p = ch->next;
        if (!s->arena_public_)
            explicit_bzero(reinterpret_cast<uint8_t *>(ch) + kArenaAlign, ch->size);
        std::free(ch);
    }
    s->sched_.arena_more = nullptr;
    s->arena_used_ = 0;
    s->arena_public_ = false;
    s->c_ = acrypto_session{};
    s->bound_[0] = '\0';
    s->last_device_ = "";
    s->done_fn_ = nullptr;
    s->done_arg_ = nullptr;
    s->status_ = ACRYPTO_OK;
    s->failed_step_ = 0;
    s->state_.store(0, std::memory_order_relaxed);
    auto &ss = s->sched_;
    ss.prev = nullptr;
    ss.enq_ms = ss.start_ns = 0;
    ss.holder.store(0, std::memory_order_relaxed);
    ss.dev = UINT32_MAX;
    ss.queued_bytes = 0;
    ss.retries = 0;
    ss.avoid_dev = UINT32_MAX;
    ss.in_queue = 0;
    ss.waiters.store(0, std::memory_order_relaxed);
    ss.finishing.store(0, std::memory_order_relaxed);
    ss.submitted.store(0, std::memory_order_relaxed);

    auto &lp = t_pool;
    if (t_pool_dead) {
        ss.next = nullptr;
        push_batch(s, 1);
        return;
    }
    if (lp.head == nullptr) pool_key().arm(&lp);
    ss.next = lp.head;
    lp.head = s;
    if (++lp.count < kLocalPoolMax) return;
    // Cache full: spill the kBatch most recently freed as one batch.
    Session *tail = lp.head;
    for (uint32_t i = 1; i < kBatch; ++i) tail = tail->sched_.next;
    Session *batch = lp.head;
    lp.head = tail->sched_.next;
    tail->sched_.next = nullptr;
    lp.count -= kBatch;
    push_batch(batch, kBatch);
}

uint8_t *Session::alloc(size_t n) {
    if (n == 0) n = 1;
    size_t need = round_up(n, kArenaAlign);
    if (arena_ && arena_used_ + need <= arena_cap_) {
        uint8_t *p = arena_ + arena_used_;
        arena_used_ += need;
        return p;
    }
    void *mem = std::aligned_alloc(kArenaAlign, kArenaAlign + need);
    if (!mem) return nullptr;
    auto *ch = static_cast<ArenaChunk *>(mem);
    ch->next = static_cast<ArenaChunk *>(sched_.arena_more);
    ch->size = need;
    sched_.arena_more = ch;
    return static_cast<uint8_t *>(mem) + kArenaAlign;
}

void Session::set_key(uint32_t i, Ref<Key> k) {
    if (i >= ACRYPTO_MAX_STEPS) return;
    steps_[i].key = k ? &k->c() : nullptr;
    keys_[i] = std::move(k);
}

void Session::set_priority(uint32_t p) noexcept {
    c_.priority = p > ACRYPTO_PRIO_MAX ? ACRYPTO_PRIO_MAX : p;
}

void Session::bind(const char *device_name) {
    if (!device_name || !*device_name) {
        bound_[0] = '\0';
        c_.flags &= ~static_cast<uint32_t>(ACRYPTO_SESSION_F_BOUND);
        return;
    }
    std::strncpy(bound_, device_name, sizeof(bound_) - 1);
    bound_[sizeof(bound_) - 1] = '\0';
    c_.flags |= ACRYPTO_SESSION_F_BOUND;
}

void Session::wait() const noexcept {
    if (done()) return;
    sched_.waiters.fetch_add(1, std::memory_order_seq_cst);
    while (state_.load(std::memory_order_seq_cst) == 0) futex_wait(&state_, 0, nullptr);
    sched_.waiters.fetch_sub(1, std::memory_order_relaxed);
}

bool Session::wait_for(std::chrono::nanoseconds d) const noexcept {
    if (done()) return true;
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + d;
    sched_.waiters.fetch_add(1, std::memory_order_seq_cst);
    while (state_.load(std::memory_order_seq_cst) == 0) {
        auto left = deadline - clock::now();
        if (left <= clock::duration::zero()) break;
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        futex_wait(&state_, 0, &ts);
    }
    sched_.waiters.fetch_sub(1, std::memory_order_relaxed);
    return done();
}

bool Session::finish(int status, uint32_t failed_step, const char *device) noexcept {
    if (sched_.finishing.exchange(1, std::memory_order_acq_rel) != 0) return false;
    status_ = status;
    failed_step_ = status == ACRYPTO_OK ? 0 : failed_step;
    if (device) last_device_ = device;
    // seq_cst pairs with wait(): either the waiter sees done, or we see the waiter.
    state_.store(1, std::memory_order_seq_cst);
    if (sched_.waiters.load(std::memory_order_seq_cst) != 0) futex_wake_all(&state_);
    if (done_fn_) done_fn_(done_arg_, *this);
    return true;
}

void Session::rearm() noexcept {
    if (!done()) return;
    status_ = ACRYPTO_OK;
    failed_step_ = 0;
    c_.cur = 0;
    c_.ncur = 0;
    std::memset(c_.dev_scratch, 0, sizeof(c_.dev_scratch));
    sched_.retries = 0;
    sched_.avoid_dev = UINT32_MAX;
    sched_.finishing.store(0, std::memory_order_relaxed);
    sched_.submitted.store(0, std::memory_order_relaxed);
    state_.store(0, std::memory_order_release);
}

} // namespace acrypto::sched
