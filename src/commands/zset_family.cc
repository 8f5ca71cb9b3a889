// Zset command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterZsetFamily(CommandTable& t) { (void)t; }
}  // namespace ember
