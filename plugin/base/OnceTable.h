// Work that must happen once per key however many ask for it at the same time (a pipe transport pair per
// router pair, a producer piped to a router): the first asker starts it, the others wait for its outcome,
// later askers find it done. Removing an entry is idempotent, so whatever closes it closes it once.
// Pure bookkeeping: no I/O, tested on its own.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "base/Failure.h"

namespace msp {

template <typename Key>
class OnceTable {
 public:
  using Waiter = std::function<void(const Failure&)>;
  enum class Step {
    Done,     // already done: go on at once (the waiter is not kept)
    Waiting,  // someone is doing it: the waiter runs with its outcome
    Start,    // the caller must do it now, then call finish(); the waiter runs then too
  };

  Step request(const Key& key, Waiter waiter) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.done) return Step::Done;
    bool first = it == entries_.end();
    entries_[key].waiters.push_back(std::move(waiter));
    return first ? Step::Start : Step::Waiting;
  }

  // The work for key ended: on success the key counts as done; on failure it is forgotten (a later request
  // starts over). Returns the waiters to run (after the table is updated, so they may ask again).
  std::vector<Waiter> finish(const Key& key, const Failure& failure) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return {};
    std::vector<Waiter> waiters = std::move(it->second.waiters);
    if (failure) entries_.erase(it);
    else {
      it->second.done = true;
      it->second.waiters.clear();
    }
    return waiters;
  }

  bool done(const Key& key) const {
    auto it = entries_.find(key);
    return it != entries_.end() && it->second.done;
  }
  bool contains(const Key& key) const { return entries_.count(key) > 0; }

  // Forgets key; true only the first time (done or pending). Pending waiters are handed back to be failed.
  bool erase(const Key& key, std::vector<Waiter>* pendingWaiters = nullptr) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    if (pendingWaiters) *pendingWaiters = std::move(it->second.waiters);
    entries_.erase(it);
    return true;
  }

  template <typename Predicate>
  std::vector<Key> keysWhere(Predicate matches) const {
    std::vector<Key> keys;
    for (const auto& [key, entry] : entries_) {
      if (matches(key)) keys.push_back(key);
    }
    return keys;
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool done = false;
    std::vector<Waiter> waiters;
  };
  std::map<Key, Entry> entries_;
};

}  // namespace msp
