// Lazy freeing: a background thread that frees big values and whole detached tables, so UNLINK,
// FLUSHALL ASYNC and the lazyfree-lazy-* options never block the event loop on a free.
//
// Redis's rule (lazyfree.c): a value goes to the background thread only if its free effort is above
// LAZYFREE_THRESHOLD (64) — list: quicklist nodes; hashtable sets/hashes: entries; skiplist zsets:
// elements; everything else 1 — because handing a small object to a thread costs more than freeing
// it. A whole database emptied asynchronously always goes to the thread.
//
//   event loop                          lazy-free thread
//   ----------                          ----------------
//   FreeValue(big) --push job-->  [queue] --pop--> FreeValue(type, enc, ptr); freed++
//   FreeTables(main, expires) -->  [queue] --pop--> free every record; freed += n
//
// Accounting stays exact across threads: the allocator layer keeps per-thread counters, and a block
// freed here is subtracted from this thread's counter (memory/alloc.h). Pending() is what INFO shows
// as lazyfree_pending_objects and Freed() as lazyfreed_objects.
//
// Thread safety: Submit*/Pending/Freed/Drain may be called from the event-loop thread; the worker
// only touches what it was handed. Fork: the worker does not exist in a fork child; the child never
// calls this (it frees nothing).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/object.h"
#include "types/hashtable.h"

namespace ember {

struct RecordTraits;
template <typename T>
class HashTable;

constexpr size_t kLazyfreeThreshold = 64;  // LAZYFREE_THRESHOLD

class LazyFree {
 public:
  LazyFree();
  ~LazyFree();  // drains the queue, then joins the worker
  LazyFree(const LazyFree&) = delete;
  LazyFree& operator=(const LazyFree&) = delete;

  // Frees the value now if its effort is <= kLazyfreeThreshold, else hands it to the worker.
  // Returns true when deferred.
  bool FreeValue(ObjType type, Encoding enc, void* ptr);
  // Hands a detached main table (owning its records) and expire index to the worker.
  void FreeTables(HashTable<RecordTraits>* main, HashTable<RecordTraits>* expires);

  // Objects queued and not yet freed (lazyfree_pending_objects).
  size_t Pending() const { return pending_.load(std::memory_order_relaxed); }
  // Objects freed by the worker since start (lazyfreed_objects).
  uint64_t Freed() const { return freed_.load(std::memory_order_relaxed); }
  void ResetFreedCounter() { freed_.store(0, std::memory_order_relaxed); }
  // Blocks until the queue is empty (tests, shutdown, DEBUG).
  void Drain();

 private:
  struct Job {
    ObjType type;
    Encoding enc;
    void* ptr;
    HashTable<RecordTraits>* main;
    HashTable<RecordTraits>* expires;
    size_t objects;
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> queue_;
  bool stop_ = false;
  bool busy_ = false;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
  std::thread worker_;
};

}  // namespace ember
