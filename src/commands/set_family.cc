// Set command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterSetFamily(CommandTable& t) { (void)t; }
}  // namespace ember
