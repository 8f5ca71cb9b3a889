// Value serialization dispatch; the per-type layouts live in rdb_<type>.cc.
#include "persist/rdb/rdb_object.h"

#include "base/strutil.h"
#include "core/value_free.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_types.h"

namespace ember::rdb {

uint8_t TypeByteFor(const Record* r, int rdb_version) {
  switch (r->type()) {
    case ObjType::kString: return RDB_TYPE_STRING;
    case ObjType::kList: return RDB_TYPE_LIST_QUICKLIST_2;
    case ObjType::kSet:
      if (r->encoding() == Encoding::kIntset) return RDB_TYPE_SET_INTSET;
      if (r->encoding() == Encoding::kListpack && rdb_version >= 11) return RDB_TYPE_SET_LISTPACK;
      return RDB_TYPE_SET;
    case ObjType::kHash:
      return r->encoding() == Encoding::kListpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case ObjType::kZSet:
      return r->encoding() == Encoding::kListpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    case ObjType::kStream: break;
  }
  return RDB_TYPE_STRING;
}

Status SaveValue(RdbWriter& w, const Record* r, int rdb_version) {
  switch (r->type()) {
    case ObjType::kString:
      switch (r->encoding()) {
        case Encoding::kInt: return w.SaveIntegerAsString(r->int_value());
        case Encoding::kEmbstr: return w.SaveString(r->embstr());
        default: return w.SaveString(r->as<RawString>()->view());
      }
    case ObjType::kList: return SaveListValue(w, r->encoding(), r->ptr());
    case ObjType::kSet: return SaveSetValue(w, r->encoding(), r->ptr(), rdb_version);
    case ObjType::kHash: return SaveHashValue(w, r->encoding(), r->ptr());
    case ObjType::kZSet: return SaveZsetValue(w, r->encoding(), r->ptr());
    case ObjType::kStream: break;
  }
  return Status::Unsupported("cannot save a value of this type");
}

Status SaveTypedValue(RdbWriter& w, const Record* r, int rdb_version) {
  EMBER_RETURN_IF_ERROR(w.SaveType(TypeByteFor(r, rdb_version)));
  return SaveValue(w, r, rdb_version);
}

Expected<ValueInit> LoadValue(RdbReader& r, uint8_t type, const LoadLimits& limits,
                              std::string_view key) {
  switch (type) {
    case RDB_TYPE_STRING: {
      // Strings come back as a RawString; NewRecordFromLoaded picks int/embstr/raw.
      std::string s;
      EMBER_RETURN_IF_ERROR(r.LoadString(&s));
      return ValueInit::Ptr(ObjType::kString, Encoding::kRaw, RawString::New(s));
    }
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
      return LoadListValue(r, type, limits);
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
    case RDB_TYPE_SET_LISTPACK:
      return LoadSetValue(r, type, limits);
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
      return LoadHashValue(r, type, limits);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
      return LoadZsetValue(r, type, limits);
    default: break;
  }
  std::string msg = "key '";
  msg.append(key.substr(0, 128));
  msg += "' has RDB type ";
  msg += std::to_string(type);
  msg += " (";
  msg += TypeName(type);
  msg += "), which Ember cannot represent";
  return Status::Unsupported(msg);
}

Record* NewRecordFromLoaded(std::string_view key, const ValueInit& v, bool has_expire,
                            int64_t expire_ms) {
  if (v.type == ObjType::kString && v.encoding == Encoding::kRaw) {
    auto* rs = static_cast<RawString*>(v.ptr);
    std::string_view s = rs->view();
    int64_t n;
    Record* r = nullptr;
    if (s.size() <= 20 && ParseInt64(s, &n)) {
      r = Record::New(key, ValueInit::Int(n), has_expire, expire_ms);
    } else if (s.size() <= kEmbstrSizeLimit) {
      r = Record::New(key, ValueInit::Embstr(s), has_expire, expire_ms);
    }
    if (r) {
      RawString::Free(rs);
      return r;
    }
  }
  return Record::New(key, v, has_expire, expire_ms);
}

void DiscardValue(const ValueInit& v) {
  if (v.encoding != Encoding::kInt && v.encoding != Encoding::kEmbstr) {
    FreeValue(v.type, v.encoding, v.ptr);
  }
}

}  // namespace ember::rdb
