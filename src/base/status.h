// Status and Expected<T>: how anything that can fail reports it. No exceptions on the command path.
//
// Contract: a default-constructed Status is OK and costs one null pointer; an error carries a code and
// a message on the heap. Expected<T> holds either a T or an error Status. Both are [[nodiscard]]:
// ignoring a failure must be written out (`(void)f()`).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ember {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad config value, bad format)
  kNotFound,
  kCorruption,       // a file or payload does not parse
  kIOError,          // a system call failed; the message carries strerror
  kOutOfRange,
  kUnsupported,      // valid input Ember cannot represent (module type, newer format, ...)
  kBusy,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string msg)
      : state_(code == StatusCode::kOk ? nullptr : new State{code, std::move(msg)}) {}
  Status(const Status& o) : state_(o.state_ ? new State(*o.state_) : nullptr) {}
  Status& operator=(const Status& o) {
    if (this != &o) state_.reset(o.state_ ? new State(*o.state_) : nullptr);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  // An IOError whose message is `what: strerror(err)`.
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string msg;
  };
  std::unique_ptr<State> state_;
};

// Either a value or an error. Access the value only after checking ok().
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit by design
  Expected(Status s) : v_(std::in_place_index<1>, std::move(s)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Status status() const { return ok() ? Status() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

#define EMBER_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::ember::Status _st = (expr);          \
    if (!_st.ok()) return _st;             \
  } while (0)

}  // namespace ember
