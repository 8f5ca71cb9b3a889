// The object-type table behind GetTypeInfo/TypeName (see rdb_format.h).
#include "persist/rdb/rdb_format.h"

namespace ember::rdb {
namespace {

using F = ValueFamily;

// Indexed by type byte 0..RDB_TYPE_LAST. Columns: name, family, written by 7.0, Ember can load.
constexpr TypeInfo kTypes[RDB_TYPE_LAST + 1] = {
    {"STRING", F::kString, true, true},                      // 0
    {"LIST", F::kList, false, true},                         // 1 linked list (legacy)
    {"SET", F::kSet, true, true},                            // 2
    {"ZSET", F::kZset, false, true},                         // 3 ascii doubles (legacy)
    {"HASH", F::kHash, true, true},                          // 4
    {"ZSET_2", F::kZset, true, true},                        // 5
    {"MODULE_PRE_GA", F::kModule, false, false},             // 6
    {"MODULE_2", F::kModule, true, false},                   // 7
    {"unknown", F::kNone, false, false},                     // 8 (never used)
    {"HASH_ZIPMAP", F::kHash, false, true},                  // 9
    {"LIST_ZIPLIST", F::kList, false, true},                 // 10
    {"SET_INTSET", F::kSet, true, true},                     // 11
    {"ZSET_ZIPLIST", F::kZset, false, true},                 // 12
    {"HASH_ZIPLIST", F::kHash, false, true},                 // 13
    {"LIST_QUICKLIST", F::kList, false, true},               // 14
    {"STREAM_LISTPACKS", F::kStream, false, true},           // 15
    {"HASH_LISTPACK", F::kHash, true, true},                 // 16
    {"ZSET_LISTPACK", F::kZset, true, true},                 // 17
    {"LIST_QUICKLIST_2", F::kList, true, true},              // 18
    {"STREAM_LISTPACKS_2", F::kStream, true, true},          // 19
    {"SET_LISTPACK", F::kSet, false, true},                  // 20 (7.2)
    {"STREAM_LISTPACKS_3", F::kStream, false, true},         // 21 (7.2)
    {"HASH_METADATA_PRE_GA", F::kHash, false, false},        // 22 (7.4 RC)
    {"HASH_LISTPACK_EX_PRE_GA", F::kHash, false, false},     // 23 (7.4 RC)
    {"HASH_METADATA", F::kHash, false, false},               // 24 (7.4)
    {"HASH_LISTPACK_EX", F::kHash, false, false},            // 25 (7.4)
};

constexpr TypeInfo kUnknown = {"unknown", F::kNone, false, false};

}  // namespace

const TypeInfo& GetTypeInfo(int type) {
  if (type < 0 || type > RDB_TYPE_LAST) return kUnknown;
  return kTypes[type];
}

const char* TypeName(int type) {
  switch (type) {
    case RDB_OPCODE_SLOT_INFO: return "OPCODE_SLOT_INFO";
    case RDB_OPCODE_FUNCTION2: return "OPCODE_FUNCTION2";
    case RDB_OPCODE_FUNCTION_PRE_GA: return "OPCODE_FUNCTION_PRE_GA";
    case RDB_OPCODE_MODULE_AUX: return "OPCODE_MODULE_AUX";
    case RDB_OPCODE_IDLE: return "OPCODE_IDLE";
    case RDB_OPCODE_FREQ: return "OPCODE_FREQ";
    case RDB_OPCODE_AUX: return "OPCODE_AUX";
    case RDB_OPCODE_RESIZEDB: return "OPCODE_RESIZEDB";
    case RDB_OPCODE_EXPIRETIME_MS: return "OPCODE_EXPIRETIME_MS";
    case RDB_OPCODE_EXPIRETIME: return "OPCODE_EXPIRETIME";
    case RDB_OPCODE_SELECTDB: return "OPCODE_SELECTDB";
    case RDB_OPCODE_EOF: return "OPCODE_EOF";
    default: return GetTypeInfo(type).name;
  }
}

}  // namespace ember::rdb
