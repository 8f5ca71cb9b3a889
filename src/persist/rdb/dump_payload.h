// DUMP / RESTORE payload footer.
//
//   payload = <type byte> <value, RDB-encoded>  <rdb version: 2 bytes LE>  <CRC64: 8 bytes LE>
//                                                \___________ footer (10 bytes) ___________/
//
// The CRC64 covers everything before it, version bytes included. RESTORE rejects a payload shorter
// than 10 bytes, a version above its own RDB version, or a CRC mismatch, all with one client error
// (kDumpPayloadError). The body (type + value) is parsed with RdbReader over a MemorySource.
//
// Thread safety: stateless functions. Fork-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "persist/rdb/rdb_format.h"

namespace ember::rdb {

// The exact error RESTORE replies with for any footer problem.
inline constexpr std::string_view kDumpPayloadError = "ERR DUMP payload version or checksum are wrong";
inline constexpr size_t kDumpFooterSize = 10;

// Appends the 2-byte version and the CRC64 of buf's full contents (after the version) to *buf.
void AppendDumpFooter(std::string* buf, int rdb_version = RDB_VERSION);

// OK if payload has a footer, its version is <= max_version, and (unless skip_checksum, DEBUG
// SET-SKIP-CHECKSUM-VALIDATION) the CRC matches. Otherwise kCorruption with kDumpPayloadError as
// the message. *version (optional) receives the stored version whenever the payload is >= 10 bytes.
Status VerifyDumpPayload(std::string_view payload, int max_version = RDB_VERSION,
                         bool skip_checksum = false, int* version = nullptr);

// The type + value part of a payload that passed VerifyDumpPayload.
inline std::string_view DumpPayloadBody(std::string_view payload) {
  return payload.size() >= kDumpFooterSize ? payload.substr(0, payload.size() - kDumpFooterSize)
                                           : std::string_view();
}

}  // namespace ember::rdb
