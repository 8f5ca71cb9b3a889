// INFO report assembly, Redis 7.2 field names and order.
//
// Section selection (Redis's genInfoSectionDict): no argument means `default`; arguments are
// matched case-insensitively; `default` = server clients memory persistence stats replication cpu
// modules errorstats cluster keyspace; `all` = every section except the hidden `debug` (so default
// + commandstats + latencystats); `everything` = all + module-generated sections (none: Ember has
// no modules). `modules` and `module_list` both name the "# Modules" section. Unknown names are
// ignored, so `INFO nosuch` is an empty string. Latencystats is omitted: Ember keeps no per-command
// latency histograms yet.
//
// Output: "# Section\r\nfield:value\r\n..." with one empty line ("\r\n") between sections.
//
// Thread safety: event-loop thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ember {

class Server;

std::string GenInfoString(Server& s, std::span<const std::string_view> sections);

}  // namespace ember
