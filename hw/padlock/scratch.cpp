// SPDX-License-Identifier: Apache-2.0
// Scratch: allocation, registration with the instruction layer, and wiping.
#include "scratch.hpp"

#include <new>

#include "key_schedule.hpp"

namespace acrypto::hw::padlock {

void Scratch::wipe() {
    secure_wipe(sched, sizeof sched);
    secure_wipe(cword, sizeof cword);
    secure_wipe(iv, sizeof iv);
    secure_wipe(blk_in, sizeof blk_in);
    secure_wipe(blk_out, sizeof blk_out);
    secure_wipe(phe_state, sizeof phe_state);
    secure_wipe(pad, sizeof pad);
    secure_wipe(rng, sizeof rng);
    if (bounce_dirty) {
        secure_wipe(bounce, sizeof bounce);
        bounce_dirty = false;
    }
}

ScratchHolder::ScratchHolder(Isa &isa) : isa_(isa), s_(new Scratch()) {
    isa_.note_memory(s_, sizeof *s_, MemoryNote::Owned);
}

ScratchHolder::~ScratchHolder() {
    s_->bounce_dirty = true;
    s_->wipe();
    isa_.note_memory(s_, sizeof *s_, MemoryNote::Released);
    delete s_;
}

} // namespace acrypto::hw::padlock
