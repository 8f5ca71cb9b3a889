#include "core/lazyfree.h"

#include "core/database.h"
#include "core/value_free.h"

namespace ember {

LazyFree::LazyFree() : worker_([this] { Run(); }) {}

LazyFree::~LazyFree() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

bool LazyFree::FreeValue(ObjType type, Encoding enc, void* ptr) {
  if (!ptr) return false;
  size_t effort = ValueFreeEffort(type, enc, ptr);
  if (effort <= kLazyfreeThreshold) {
    ::ember::FreeValue(type, enc, ptr);
    return false;
  }
  pending_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(Job{type, enc, ptr, nullptr, nullptr, 1});
  }
  cv_.notify_one();
  return true;
}

void LazyFree::FreeTables(HashTable<RecordTraits>* main, HashTable<RecordTraits>* expires) {
  size_t n = main ? main->Size() : 0;
  pending_.fetch_add(n, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(Job{ObjType::kString, Encoding::kRaw, nullptr, main, expires, n});
  }
  cv_.notify_one();
}

void LazyFree::Drain() {
  std::unique_lock<std::mutex> lk(mu_);
  idle_cv_.wait(lk, [this] { return queue_.empty() && !busy_; });
}

void LazyFree::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ with nothing left
      job = queue_.front();
      queue_.pop_front();
      busy_ = true;
    }
    if (job.main || job.expires) {
      if (job.expires) {
        job.expires->Clear();
        delete job.expires;
      }
      if (job.main) {
        job.main->Clear([](Record* r) { Record::Free(r); });
        delete job.main;
      }
    } else {
      ::ember::FreeValue(job.type, job.enc, job.ptr);
    }
    freed_.fetch_add(job.objects, std::memory_order_relaxed);
    pending_.fetch_sub(job.objects, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      busy_ = false;
      if (queue_.empty()) idle_cv_.notify_all();
    }
  }
}

}  // namespace ember
