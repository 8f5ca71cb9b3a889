// Routes the global operator new/delete through the accounting layer, so every standard container
// and every `new` in Ember is counted in used_memory.
#include <cstddef>
#include <new>

#include "memory/alloc.h"

// Referenced from alloc.cc so that linking alloc.o (always needed) pulls this member out of
// libember.a. Without it the archive member is skipped whenever the link line already has an
// operator new before the archive: -fsanitize=address puts libasan.so first, which left std
// containers uncounted in used_memory in ASan builds.
namespace ember::mem {
extern const int kNewDeleteRouted;
const int kNewDeleteRouted = 1;
}  // namespace ember::mem

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
