// RDB format constants, with the names Redis uses in rdb.h, and a table describing every object type.
//
// An RDB stream is:
//
//   "REDIS" + 4-digit version          e.g. "REDIS0010" (9 bytes)
//   { AUX 0xFA <string key> <string value> }            redis-ver, redis-bits, ctime, used-mem, ...
//   { MODULE_AUX 0xF7 ... } { FUNCTION2 0xF5 <string> }
//   for each non-empty db:
//     SELECTDB 0xFE <len dbid>  RESIZEDB 0xFB <len keys> <len expires>
//     { [EXPIRETIME_MS 0xFC <8-byte LE ms>] [IDLE 0xF8 <len secs>] [FREQ 0xF9 <1 byte>]
//       <type byte 0..25> <string key> <value> }
//   EOF 0xFF  <8-byte LE CRC64 of every byte before it; 0 = checksum disabled>   (version >= 5)
//
// Length encoding (first byte, top two bits):
//
//   00pppppp                        6-bit length
//   01pppppp qqqqqqqq               14-bit length, big-endian
//   10000000 <4 bytes BE>           32-bit length (RDB_32BITLEN)
//   10000001 <8 bytes BE>           64-bit length (RDB_64BITLEN)
//   11eeeeee                        "encoded" string: e = RDB_ENC_INT8/16/32 (LE integer follows)
//                                   or RDB_ENC_LZF (<len clen> <len len> <clen bytes>)
//
// Everything here is constexpr data: safe from any thread and in a forked child.
#pragma once

#include <cstdint>

namespace ember::rdb {

// ---- Versions -------------------------------------------------------------------------------------
// The version Ember writes (Redis 7.0 writes 10; 7.2 writes 11; 7.4 writes 12).
inline constexpr int RDB_VERSION = 10;
// The highest version the reader accepts (7.4's); the lowest is 1.
inline constexpr int RDB_MAX_READABLE_VERSION = 12;
// Files from version 5 on end with a CRC64 trailer after the EOF opcode.
inline constexpr int RDB_FIRST_VERSION_WITH_CHECKSUM = 5;

// ---- Length encoding ------------------------------------------------------------------------------
inline constexpr uint8_t RDB_6BITLEN = 0;
inline constexpr uint8_t RDB_14BITLEN = 1;
inline constexpr uint8_t RDB_32BITLEN = 0x80;
inline constexpr uint8_t RDB_64BITLEN = 0x81;
inline constexpr uint8_t RDB_ENCVAL = 3;
inline constexpr uint64_t RDB_LENERR = UINT64_MAX;

// Special string encodings (the low 6 bits of a length byte whose top bits are RDB_ENCVAL).
inline constexpr uint8_t RDB_ENC_INT8 = 0;
inline constexpr uint8_t RDB_ENC_INT16 = 1;
inline constexpr uint8_t RDB_ENC_INT32 = 2;
inline constexpr uint8_t RDB_ENC_LZF = 3;

// ---- Object types -------------------------------------------------------------------------------
inline constexpr uint8_t RDB_TYPE_STRING = 0;
inline constexpr uint8_t RDB_TYPE_LIST = 1;
inline constexpr uint8_t RDB_TYPE_SET = 2;
inline constexpr uint8_t RDB_TYPE_ZSET = 3;
inline constexpr uint8_t RDB_TYPE_HASH = 4;
inline constexpr uint8_t RDB_TYPE_ZSET_2 = 5;
inline constexpr uint8_t RDB_TYPE_MODULE_PRE_GA = 6;  // "RDB_TYPE_MODULE" in 7.0
inline constexpr uint8_t RDB_TYPE_MODULE_2 = 7;
// 8 was never used.
inline constexpr uint8_t RDB_TYPE_HASH_ZIPMAP = 9;
inline constexpr uint8_t RDB_TYPE_LIST_ZIPLIST = 10;
inline constexpr uint8_t RDB_TYPE_SET_INTSET = 11;
inline constexpr uint8_t RDB_TYPE_ZSET_ZIPLIST = 12;
inline constexpr uint8_t RDB_TYPE_HASH_ZIPLIST = 13;
inline constexpr uint8_t RDB_TYPE_LIST_QUICKLIST = 14;
inline constexpr uint8_t RDB_TYPE_STREAM_LISTPACKS = 15;
inline constexpr uint8_t RDB_TYPE_HASH_LISTPACK = 16;
inline constexpr uint8_t RDB_TYPE_ZSET_LISTPACK = 17;
inline constexpr uint8_t RDB_TYPE_LIST_QUICKLIST_2 = 18;
inline constexpr uint8_t RDB_TYPE_STREAM_LISTPACKS_2 = 19;
inline constexpr uint8_t RDB_TYPE_SET_LISTPACK = 20;
inline constexpr uint8_t RDB_TYPE_STREAM_LISTPACKS_3 = 21;
inline constexpr uint8_t RDB_TYPE_HASH_METADATA_PRE_GA = 22;
inline constexpr uint8_t RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23;
inline constexpr uint8_t RDB_TYPE_HASH_METADATA = 24;
inline constexpr uint8_t RDB_TYPE_HASH_LISTPACK_EX = 25;
inline constexpr uint8_t RDB_TYPE_LAST = 25;

// Quicklist node containers inside RDB_TYPE_LIST_QUICKLIST_2.
inline constexpr uint64_t QUICKLIST_NODE_CONTAINER_PLAIN = 1;
inline constexpr uint64_t QUICKLIST_NODE_CONTAINER_PACKED = 2;

// ---- Opcodes (bytes that appear where a type byte would) ----------------------------------------
inline constexpr uint8_t RDB_OPCODE_SLOT_INFO = 244;        // 7.4, cluster only
inline constexpr uint8_t RDB_OPCODE_FUNCTION2 = 245;
inline constexpr uint8_t RDB_OPCODE_FUNCTION_PRE_GA = 246;  // 7.0-rc1/rc2 functions; read only
inline constexpr uint8_t RDB_OPCODE_MODULE_AUX = 247;
inline constexpr uint8_t RDB_OPCODE_IDLE = 248;
inline constexpr uint8_t RDB_OPCODE_FREQ = 249;
inline constexpr uint8_t RDB_OPCODE_AUX = 250;
inline constexpr uint8_t RDB_OPCODE_RESIZEDB = 251;
inline constexpr uint8_t RDB_OPCODE_EXPIRETIME_MS = 252;
inline constexpr uint8_t RDB_OPCODE_EXPIRETIME = 253;  // seconds, 4 bytes; read only
inline constexpr uint8_t RDB_OPCODE_SELECTDB = 254;
inline constexpr uint8_t RDB_OPCODE_EOF = 255;

// Module value sub-opcodes (inside RDB_TYPE_MODULE_2 and MODULE_AUX).
inline constexpr uint64_t RDB_MODULE_OPCODE_EOF = 0;
inline constexpr uint64_t RDB_MODULE_OPCODE_SINT = 1;
inline constexpr uint64_t RDB_MODULE_OPCODE_UINT = 2;
inline constexpr uint64_t RDB_MODULE_OPCODE_FLOAT = 3;
inline constexpr uint64_t RDB_MODULE_OPCODE_DOUBLE = 4;
inline constexpr uint64_t RDB_MODULE_OPCODE_STRING = 5;

// Legacy ascii-double length bytes (RDB_TYPE_ZSET).
inline constexpr uint8_t RDB_LEGACY_DOUBLE_NAN = 253;
inline constexpr uint8_t RDB_LEGACY_DOUBLE_POS_INF = 254;
inline constexpr uint8_t RDB_LEGACY_DOUBLE_NEG_INF = 255;

// The fsync cadence of rdb-save-incremental-fsync (REDIS_AUTOSYNC_BYTES).
inline constexpr uint64_t REDIS_AUTOSYNC_BYTES = 4 * 1024 * 1024;

// ---- Type table ---------------------------------------------------------------------------------
enum class ValueFamily : uint8_t { kNone, kString, kList, kSet, kZset, kHash, kModule, kStream };

struct TypeInfo {
  const char* name;      // Redis's constant name without "RDB_TYPE_", e.g. "ZSET_2"; "unknown" if none
  ValueFamily family;    // kNone for 8 and anything above RDB_TYPE_LAST
  bool written_by_70;    // Redis 7.0 writes this type (otherwise read-only legacy, or newer)
  bool representable;    // Ember can load a value of this type into its keyspace
};

// True for 0..7 and 9..RDB_TYPE_LAST (Redis's rdbIsObjectType, extended to 7.4's types).
constexpr bool IsObjectType(int type) {
  return (type >= 0 && type <= 7) || (type >= 9 && type <= RDB_TYPE_LAST);
}

// Information on any byte value; never fails (unknown types get family kNone).
const TypeInfo& GetTypeInfo(int type);
// "STRING", "LIST_QUICKLIST_2", ... for an object type; "OPCODE_EOF" style names for opcodes;
// "unknown" otherwise. For log and error messages.
const char* TypeName(int type);
// True if a value of this type can be loaded by Ember: every string/list/set/zset/hash/stream type
// Redis 7.2 can write or read. False for modules (Ember has none) and for 7.4's hash-field-TTL
// types 22..25 (Ember keeps no per-field expiry), and for non-types.
inline bool EmberCanRepresent(int type) { return GetTypeInfo(type).representable; }

}  // namespace ember::rdb
