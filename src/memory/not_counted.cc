#include "memory/not_counted.h"

#include <vector>

namespace ember::mem {

namespace {
struct Entry {
  const char* name;
  NotCountedFn fn;
  void* data;
  bool live;
};
std::vector<Entry>& Registry() {
  static std::vector<Entry>* r = new std::vector<Entry>();
  return *r;
}
}  // namespace

int RegisterNotCounted(const char* name, NotCountedFn fn, void* data) {
  auto& r = Registry();
  for (size_t i = 0; i < r.size(); i++) {
    if (!r[i].live) {
      r[i] = Entry{name, fn, data, true};
      return static_cast<int>(i);
    }
  }
  r.push_back(Entry{name, fn, data, true});
  return static_cast<int>(r.size() - 1);
}

void UnregisterNotCounted(int handle) {
  auto& r = Registry();
  if (handle >= 0 && static_cast<size_t>(handle) < r.size()) r[handle].live = false;
}

size_t NotCountedTotal() {
  size_t total = 0;
  for (const auto& e : Registry()) {
    if (e.live) total += e.fn(e.data);
  }
  return total;
}

}  // namespace ember::mem
