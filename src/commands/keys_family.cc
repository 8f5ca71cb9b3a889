// Keys command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterKeysFamily(CommandTable& t) { (void)t; }
}  // namespace ember
