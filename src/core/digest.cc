#include "core/digest.h"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>

#include "core/value_iter.h"

namespace ember {

namespace {
using Digest = unsigned char[20];

void XorDigest(unsigned char* d, const void* p, size_t len) {
  unsigned char hash[20];
  unsigned int out_len = 20;
  EVP_Digest(p, len, hash, &out_len, EVP_sha1(), nullptr);
  for (int j = 0; j < 20; j++) d[j] ^= hash[j];
}

void MixDigest(unsigned char* d, const void* p, size_t len) {
  XorDigest(d, p, len);
  unsigned int out_len = 20;
  EVP_Digest(d, 20, d, &out_len, EVP_sha1(), nullptr);
}

void MixView(unsigned char* d, std::string_view s) { MixDigest(d, s.data(), s.size()); }

std::string Hex(const unsigned char* d) {
  static const char* kHex = "0123456789abcdef";
  std::string out(40, '0');
  for (int i = 0; i < 20; i++) {
    out[i * 2] = kHex[d[i] >> 4];
    out[i * 2 + 1] = kHex[d[i] & 15];
  }
  return out;
}

void XorObjectDigest(unsigned char* digest, const Record* r) {
  uint32_t aux = htonl(static_cast<uint32_t>(r->type()));
  MixDigest(digest, &aux, sizeof(aux));
  Encoding enc = r->encoding();
  switch (r->type()) {
    case ObjType::kString: {
      char buf[32];
      MixView(digest, r->StringValue(buf));
      break;
    }
    case ObjType::kList:
      ForEachListElement(enc, r->ptr(), [&](std::string_view e) { MixView(digest, e); });
      break;
    case ObjType::kSet:
      ForEachSetMember(enc, r->ptr(),
                       [&](std::string_view m) { XorDigest(digest, m.data(), m.size()); });
      break;
    case ObjType::kHash:
      ForEachHashField(enc, r->ptr(), [&](std::string_view f, std::string_view v) {
        Digest ed = {0};
        MixView(ed, f);
        MixView(ed, v);
        XorDigest(digest, ed, 20);
      });
      break;
    case ObjType::kZSet:
      ForEachZsetMember(enc, r->ptr(), [&](std::string_view m, double score) {
        Digest ed = {0};
        MixView(ed, m);
        char buf[128];
        int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
        MixDigest(ed, buf, static_cast<size_t>(n));
        XorDigest(digest, ed, 20);
      });
      break;
    case ObjType::kStream: break;
  }
  if (r->has_expire()) XorDigest(digest, "!!expire!!", 10);
}
}  // namespace

std::string DatasetDigest(std::vector<std::unique_ptr<Database>>& dbs) {
  Digest final = {0};
  for (auto& dbp : dbs) {
    Database& db = *dbp;
    if (db.Size() == 0) continue;
    uint32_t aux = htonl(static_cast<uint32_t>(db.id()));
    MixDigest(final, &aux, sizeof(aux));
    db.main_table().ForEach([&](Record* r) {
      Digest d = {0};
      MixView(d, r->key());
      XorObjectDigest(d, r);
      XorDigest(final, d, 20);
    });
  }
  return Hex(final);
}

std::string ValueDigest(const Record* r) {
  Digest d = {0};
  if (r) XorObjectDigest(d, r);
  return Hex(d);
}

}  // namespace ember
