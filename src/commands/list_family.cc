// List command family (being written).
#include "commands/families.h"
#include "server/command_table.h"

namespace ember {
void RegisterListFamily(CommandTable& t) { (void)t; }
}  // namespace ember
