// Registration of every command family. Each family lives in src/commands/<name>_family.cc and
// adds its rows with one Register*Family call; RegisterAllFamilies is the only list to edit when a
// family is added.
#pragma once

namespace ember {

class CommandTable;

void RegisterConnectionFamily(CommandTable& t);  // PING ECHO SELECT QUIT RESET HELLO AUTH CLIENT
void RegisterServerFamily(CommandTable& t);      // INFO CONFIG DBSIZE FLUSH* SWAPDB TIME DEBUG ...
void RegisterStringFamily(CommandTable& t);
void RegisterKeysFamily(CommandTable& t);
void RegisterTxFamily(CommandTable& t);          // MULTI EXEC DISCARD WATCH UNWATCH
void RegisterPubsubFamily(CommandTable& t);
void RegisterListFamily(CommandTable& t);        // lists, incl. blocking pops
void RegisterHashFamily(CommandTable& t);
void RegisterSetFamily(CommandTable& t);         // sets and SORT
void RegisterZsetFamily(CommandTable& t);
void RegisterPersistenceFamily(CommandTable& t);  // SAVE BGSAVE LASTSAVE DUMP RESTORE

inline void RegisterAllFamilies(CommandTable& t) {
  RegisterConnectionFamily(t);
  RegisterServerFamily(t);
  RegisterStringFamily(t);
  RegisterKeysFamily(t);
  RegisterTxFamily(t);
  RegisterPubsubFamily(t);
  RegisterListFamily(t);
  RegisterHashFamily(t);
  RegisterSetFamily(t);
  RegisterZsetFamily(t);
  RegisterPersistenceFamily(t);
}

}  // namespace ember
