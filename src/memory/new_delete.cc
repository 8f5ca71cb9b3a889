// Routes the global operator new/delete through the accounting layer, so every standard container
// and every `new` in Ember is counted in used_memory.
#include <cstddef>
#include <new>

#include "memory/alloc.h"

void* operator new(std::size_t n) { return ember::mem::Allocate(n); }
void* operator new[](std::size_t n) { return ember::mem::Allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return ember::mem::Allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return ember::mem::Allocate(n);
}
void operator delete(void* p) noexcept { ember::mem::Free(p); }
void operator delete[](void* p) noexcept { ember::mem::Free(p); }
void operator delete(void* p, std::size_t) noexcept { ember::mem::Free(p); }
void operator delete[](void* p, std::size_t) noexcept { ember::mem::Free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { ember::mem::Free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { ember::mem::Free(p); }
