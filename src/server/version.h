// Version constants. Ember reports the Redis version whose behaviour it matches (INFO
// redis_version, HELLO, the fatal config error banner) and its own version separately.
#pragma once

namespace ember {

inline constexpr const char* kRedisVersion = "7.2.4";
inline constexpr const char* kEmberVersion = "0.1.0";

}  // namespace ember
