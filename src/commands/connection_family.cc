// Connection command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterConnectionFamily(CommandTable& t) { (void)t; }
}  // namespace ember
