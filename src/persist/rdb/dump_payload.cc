// DUMP payload footer (see dump_payload.h).
#include "persist/rdb/dump_payload.h"

#include "persist/rdb/crc64.h"

namespace ember::rdb {

void AppendDumpFooter(std::string* buf, int rdb_version) {
  buf->push_back(static_cast<char>(rdb_version & 0xff));
  buf->push_back(static_cast<char>((rdb_version >> 8) & 0xff));
  uint64_t crc = Crc64(0, buf->data(), buf->size());
  for (int i = 0; i < 8; i++) buf->push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
}

Status VerifyDumpPayload(std::string_view payload, int max_version, bool skip_checksum,
                         int* version) {
  auto fail = [] { return Status::Corruption(std::string(kDumpPayloadError)); };
  if (payload.size() < kDumpFooterSize) return fail();
  const auto* footer =
      reinterpret_cast<const uint8_t*>(payload.data() + payload.size() - kDumpFooterSize);
  int ver = footer[0] | (footer[1] << 8);
  if (version) *version = ver;
  if (ver > max_version) return fail();
  if (skip_checksum) return Status::OK();
  uint64_t crc = Crc64(0, payload.data(), payload.size() - 8);
  uint64_t stored = 0;
  for (int i = 0; i < 8; i++) stored |= uint64_t{footer[2 + i]} << (8 * i);
  if (crc != stored) return fail();
  return Status::OK();
}

}  // namespace ember::rdb
