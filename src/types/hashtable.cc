// Process-wide state shared by every HashTable instantiation: the resize policy and the sampling PRNG.
#include "types/hashtable.h"

#include <sys/random.h>

namespace ember {

namespace hashtable_internal {

HashTableResizePolicy g_resize_policy = HashTableResizePolicy::kAllow;

uint64_t Random64() {
  // xorshift64*, one state per thread, seeded from getrandom (or the thread's address).
  thread_local uint64_t state = [] {
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), 0) != static_cast<ssize_t>(sizeof(s)) || s == 0) {
      s = reinterpret_cast<uintptr_t>(&s) * 0x9e3779b97f4a7c15ULL | 1;
    }
    return s;
  }();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

}  // namespace hashtable_internal

void SetHashTableResizePolicy(HashTableResizePolicy policy) {
  hashtable_internal::g_resize_policy = policy;
}

}  // namespace ember
